/**
 * Fakes of Slack for tests: the Web API (with Socket Mode and file hosting on the same port), payload builders,
 * and a signed Events API sender. See README.md in this folder.
 */
export { FakeSlackApi, type FakeSlackApiOptions, type RecordedCall, type InjectedFailure } from "./fake-slack-api.js";
export { DEFAULT_FAKE_TEAM, FULL_BOT_SCOPES, type FakeSlackTeam, type FakeSlackUser } from "./fake-team.js";
export { FakeMessageStore, markdownOfBlocks, type FakeSlackMessage, type FakeMessageRevision, type FakeEphemeral } from "./message-store.js";
export { FakeSocketModeServer, type FakeSocketModeOptions, type SocketModeAck, type DeliverOptions } from "./socket-mode-server.js";
export { SlackEventsSender, signSlackRequest, type SignedResponse, type SendOptions } from "./events-sender.js";
export { SlackPayloads, slackTs, type MessageInit } from "./payloads.js";
export { DEFAULT_FAKE_SLACK_TIERS, SlidingWindowLimiter, type FakeRateTier } from "./sliding-window.js";
export { SLACK_LOGIN_PAGE } from "./file-routes.js";
export { FAKE_LIMITS } from "./chat-methods.js";
