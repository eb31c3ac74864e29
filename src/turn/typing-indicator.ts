import type { ReplyTarget } from "../contracts/messages.js";
import type { PlatformRoute } from "../gateway/platform-route.js";

/** Discord's typing indicator lasts ~10 s; renewed a little earlier. */
const TYPING_EVERY_MS = 8_000;

/**
 * Shows that the bot is working until the returned function is called, on platforms that have a typing
 * indicator. Cosmetic, so it is an optional call: sent only when its budget has room right now (never at the
 * expense of text), never retried.
 */
export function startTyping(route: PlatformRoute, target: ReplyTarget): () => void {
  const send = route.platform.sendTyping?.bind(route.platform);
  if (!send) return () => undefined;
  const call = () => send(target);
  const tick = () => void route.optional("typing", call);
  tick();
  const timer = setInterval(tick, TYPING_EVERY_MS);
  return () => clearInterval(timer);
}
