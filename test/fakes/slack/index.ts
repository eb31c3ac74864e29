/**
 * Fakes of Slack for tests: the Web API (with Socket Mode and file hosting on the same port), payload builders,
 * and a signed Events API sender. See README.md in this folder.
 */

export { FAKE_LIMITS } from "./chat-methods.js";
export { type SendOptions, type SignedResponse, SlackEventsSender, signSlackRequest } from "./events-sender.js";
export { FakeSlackApi, type FakeSlackApiOptions, type InjectedFailure, type RecordedCall } from "./fake-slack-api.js";
export { DEFAULT_FAKE_TEAM, type FakeSlackTeam, type FakeSlackUser, FULL_BOT_SCOPES } from "./fake-team.js";
export { SLACK_LOGIN_PAGE } from "./file-routes.js";
export type { CommandInit, ShortcutInit } from "./interaction-payloads.js";
export { type FakeEphemeral, type FakeMessageRevision, FakeMessageStore, type FakeSlackMessage, markdownOfBlocks } from "./message-store.js";
export { FakeSlackOAuth, type FakeSlackOAuthOptions } from "./oauth.js";
export { type MessageInit, SlackPayloads, slackTs } from "./payloads.js";
export { type FakeResponseMessage, type FakeResponseUrl, FakeResponseUrls, RESPONSE_URL_MAX_USES } from "./response-urls.js";
export { DEFAULT_FAKE_SLACK_TIERS, type FakeRateTier, SlidingWindowLimiter } from "./sliding-window.js";
export { type DeliverOptions, type FakeSocketModeOptions, FakeSocketModeServer, type SocketModeAck } from "./socket-mode-server.js";
