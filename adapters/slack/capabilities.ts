import type { BudgetPlace, PlatformCapabilities, RateBudget, RateBudgets } from "../../src/contracts/chat-platform.js";
import { SLACK_LIMITS } from "./render.js";
import { RESPONSE_URL_HINT, RESPONSE_URL_USES, responseUrlId } from "./response-url.js";

const MINUTE_MS = 60_000;

/**
 * Slack's rate tiers apply per method, per workspace, per app (docs.slack.dev "Rate limits"), so every stream in
 * one workspace shares them; the keys say so. They are Redis keys in the core's shared limiter: keep them stable.
 */
const SLACK_RATE_TIERS = {
  /** Tier 3: 50+ per minute. */
  "chat.update": { limit: 50, windowMs: MINUTE_MS },
  /** Tier 3: 50+ per minute. */
  "chat.delete": { limit: 50, windowMs: MINUTE_MS },
  /** Tier 2: 20+ per minute. */
  "chat.startStream": { limit: 20, windowMs: MINUTE_MS },
  /** Tier 4: 100+ per minute. */
  "chat.appendStream": { limit: 100, windowMs: MINUTE_MS },
  /** Tier 2: 20+ per minute. */
  "chat.stopStream": { limit: 20, windowMs: MINUTE_MS },
  /**
   * "Special": about one message per second per channel, short bursts allowed. A 60-per-60-s window keeps the
   * long-run rate at 1/s while letting a reply post its placeholder and continuation parts back to back; a
   * tighter window (say 1 per second) would stall exactly those bursts Slack tolerates.
   */
  "chat.postMessage": { limit: 60, windowMs: MINUTE_MS },
  /**
   * "Special rate limits apply", with no figure published; Tier 3's 50 per minute per workspace keeps the
   * status lines of many threads well inside any sensible limit (each answer sets a few at most).
   */
  "assistant.threads.setStatus": { limit: 50, windowMs: MINUTE_MS },
} as const;

type SlackRatedMethod = keyof typeof SLACK_RATE_TIERS;

function slackBudgetKey(method: SlackRatedMethod, workspaceId: string, channelId?: string): string {
  return channelId === undefined ? `slack:${workspaceId}:${method}` : `slack:${workspaceId}:${channelId}:${method}`;
}

/**
 * Slack publishes per-minute figures and says bursts are tolerated, not a window that frees nothing for a minute:
 * its budgets refill continuously (a bucket of `limit`, one back every minute / limit). A 429 still blocks the
 * budget for the Retry-After Slack sends, for every stream and process (the core's gateway).
 */
function budget(method: SlackRatedMethod, workspaceId: string, channelId?: string): RateBudget {
  return { key: slackBudgetKey(method, workspaceId, channelId), ...SLACK_RATE_TIERS[method], refill: "continuous" };
}

/**
 * A private answer lives behind one response_url: every post and replacement spends one of its 5 uses in 30
 * minutes, so the core's pacing spreads the few edits it has over the answer and keeps the last use for the
 * final text. A plain window: the uses never come back early.
 */
function responseUrlBudgets(ws: string, url: string): RateBudgets {
  const uses: RateBudget = { key: `slack:${ws}:response_url:${responseUrlId(url)}`, ...RESPONSE_URL_USES, refill: "window" };
  return { post: [uses], edit: [uses], delete: [uses] };
}

function slackRateBudgets(place: BudgetPlace): RateBudgets {
  const ws = place.workspaceId;
  const responseUrl = place.hints?.[RESPONSE_URL_HINT];
  if (responseUrl !== undefined) return responseUrlBudgets(ws, responseUrl);
  return {
    post: [budget("chat.postMessage", ws, place.channelId)],
    edit: [budget("chat.update", ws)],
    delete: [budget("chat.delete", ws)],
    streamStart: [budget("chat.startStream", ws)],
    streamAppend: [budget("chat.appendStream", ws)],
    streamStop: [budget("chat.stopStream", ws)],
    status: [budget("assistant.threads.setStatus", ws)],
  };
}

export const SLACK_CAPABILITIES: PlatformCapabilities = Object.freeze({
  maxMessageLength: SLACK_LIMITS.maxMessageLength,
  maxButtonsPerMessage: SLACK_LIMITS.buttonsPerActionsBlock,
  // Slack accepts up to 1 GB, but the bytes sit in memory on their way from Dify; 100 MiB keeps a worker safe.
  maxUploadBytes: 100 * 1024 * 1024,
  // Slack sets no per-message edit limit; the shared workspace budgets are the real limit and the core spreads
  // each stream's share evenly. This floor only keeps a lone stream from updating on every token.
  minEditIntervalMs: 50,
  rateBudgets: slackRateBudgets,
});
