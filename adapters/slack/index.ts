import type { ChatPlatform } from "../../src/contracts/chat-platform.js";
import type { SlackConfig } from "./config.js";
import { SlackPlatform, type SlackPlatformDeps } from "./slack-platform.js";

/** The Slack adapter behind the ChatPlatform port. `parseSlackConfig(env)` gives the config (null = Slack off). */
export function createSlackPlatform(config: SlackConfig, deps: SlackPlatformDeps): ChatPlatform {
  return new SlackPlatform(config, deps);
}

export { SLACK_CAPABILITIES, SLACK_RATE_TIERS, slackBudgetKey, slackRateBudgets } from "./capabilities.js";
export { DEFAULT_SLACK_API_URL, parseSlackConfig, type SlackConfig, type SlackStreamingSetting, type SlackTransport } from "./config.js";
export { translateSlackError } from "./errors.js";
export { SLACK_FILE_HOST_SUFFIXES, SLACK_FILE_HOSTS, slackDownloadPolicy } from "./file-hosts.js";
export { SLACK_EVENTS_PATH } from "./http-receiver.js";
export type { SlackBotIdentity } from "./identity.js";
export { decodeConversationKey, encodeConversationKey, messageDedupeKey } from "./ids.js";
export { slackMarkupToMarkdown } from "./markup.js";
export { type NormalizeContext, normalizeBlockActions, normalizeMessageEvent, normalizeReactionEvent } from "./normalize.js";
export { slackReactionToReaction } from "./reactions.js";
export { markdownToPlainText, renderExtras, renderMessage, SLACK_LIMITS, type SlackMessagePayload } from "./render.js";
export { findMissingScopes, REQUIRED_BOT_SCOPES } from "./scopes.js";
export { SlackPlatform, type SlackPlatformDeps } from "./slack-platform.js";
