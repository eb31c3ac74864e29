import type { ChatPlatform } from "../../src/contracts/chat-platform.js";
import type { SlackConfig } from "./config.js";
import { SlackPlatform, type SlackPlatformDeps } from "./slack-platform.js";

/** The Slack adapter behind the ChatPlatform port. `parseSlackConfig(env)` gives the config (null = Slack off). */
export function createSlackPlatform(config: SlackConfig, deps: SlackPlatformDeps): ChatPlatform {
  return new SlackPlatform(config, deps);
}

export { SlackPlatform, type SlackPlatformDeps } from "./slack-platform.js";
export { parseSlackConfig, DEFAULT_SLACK_API_URL, type SlackConfig, type SlackTransport, type SlackStreamingSetting } from "./config.js";
export { SLACK_CAPABILITIES, SLACK_RATE_TIERS, slackBudgetKey, slackRateBudgets } from "./capabilities.js";
export { SLACK_LIMITS, renderMessage, renderExtras, markdownToPlainText, type SlackMessagePayload } from "./render.js";
export { normalizeMessageEvent, normalizeReactionEvent, normalizeBlockActions, type NormalizeContext } from "./normalize.js";
export { encodeConversationKey, decodeConversationKey, messageDedupeKey } from "./ids.js";
export { slackReactionToReaction } from "./reactions.js";
export { slackMarkupToMarkdown } from "./markup.js";
export { translateSlackError } from "./errors.js";
export { REQUIRED_BOT_SCOPES, findMissingScopes } from "./scopes.js";
export { SLACK_FILE_HOSTS, SLACK_FILE_HOST_SUFFIXES, createFileHostPolicy } from "./file-hosts.js";
export { SLACK_EVENTS_PATH } from "./http-receiver.js";
export type { SlackBotIdentity } from "./identity.js";
