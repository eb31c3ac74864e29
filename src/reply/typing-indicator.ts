import type { ChatPlatform } from "../contracts/chat-platform.js";
import type { ReplyTarget } from "../contracts/messages.js";
import type { RateBudgetStore } from "../rate/rate-budget-store.js";

/** Discord's typing indicator lasts ~10 s; renewed a little earlier. */
const TYPING_EVERY_MS = 8_000;

/**
 * Shows that the bot is working until the returned function is called, on platforms that have a typing
 * indicator. Cosmetic, so it is sent only when its budget has room right now (never at the expense of text).
 */
export function startTyping(platform: ChatPlatform, target: ReplyTarget, budgets: RateBudgetStore): () => void {
  const send = platform.sendTyping?.bind(platform);
  if (!send) return () => undefined;
  const typingBudgets = platform.capabilities.rateBudgets({ workspaceId: target.workspaceId, channelId: target.channelId }).typing ?? [];
  const tick = () =>
    void budgets
      .acquire(typingBudgets, { priority: "normal" })
      .then((grant) => (grant.granted ? send(target) : undefined))
      .catch(() => undefined);
  tick();
  const timer = setInterval(tick, TYPING_EVERY_MS);
  return () => clearInterval(timer);
}
