import type { PlatformCapabilities, RateBudget } from "../../src/contracts/chat-platform.js";
import { DISCORD_LIMITS, DISCORD_RATE_BUDGETS } from "./limits.js";
import { COMPONENTS_V2_ANSWER_LENGTH } from "./render-v2.js";

/** One edit per second per message at most: faster edits spend the channel's 5-per-5 s bucket for little gain. */
const MIN_EDIT_INTERVAL_MS = 1_000;

/** The bot-wide 50 requests/s. */
export const GLOBAL_BUDGET_KEY = "discord:global";
const GLOBAL_BUDGET: RateBudget = { key: GLOBAL_BUDGET_KEY, ...DISCORD_RATE_BUDGETS.global };

/** The budget of creating and editing messages in one channel (a thread is a channel of its own). */
export function channelBudgetKey(channelId: string): string {
  return `discord:channel:${channelId}`;
}

export function discordCapabilities(maxUploadBytes: number, componentsV2 = false): PlatformCapabilities {
  return {
    // Components V2 shows up to 4,000 characters of text per message; the answer gets 3,500 of them, its sources the rest.
    maxMessageLength: componentsV2 ? COMPONENTS_V2_ANSWER_LENGTH : DISCORD_LIMITS.contentLength,
    // Discord stores `content` with leading and trailing whitespace removed (observed; the API docs do not say).
    trimsMessageEdges: true,
    maxButtonsPerMessage: DISCORD_LIMITS.buttonsPerRow * DISCORD_LIMITS.actionRows,
    maxUploadBytes,
    minEditIntervalMs: MIN_EDIT_INTERVAL_MS,
    rateBudgets(place) {
      // Creating and editing messages share the channel's bucket (a thread is a channel of its own).
      const channel: RateBudget = { key: channelBudgetKey(place.channelId), ...DISCORD_RATE_BUDGETS.channelMessages };
      const budgets = [channel, GLOBAL_BUDGET] as const;
      // The typing indicator has its own per-route bucket but counts against the bot-wide 50 requests/s.
      // Deleting has a bucket of its own on Discord, of unpublished size: the channel's is the safe assumption.
      return { post: budgets, edit: budgets, delete: budgets, typing: [GLOBAL_BUDGET] };
    },
  };
}
