import { PlatformNotFoundError } from "../contracts/errors.js";
import { classifyPlatformFailure, MUST_LAND_ATTEMPTS } from "../gateway/retry-table.js";
import type { ReplyOperation } from "./next-operation.js";

/**
 * What the streamer does after a failed update other than a 429 (which only waits):
 * - `nativeRefused`: the native stream could not start; edit instead, for the rest of the answer;
 * - `statusRefused`: the thread's status line could not be set for good; post a placeholder message instead;
 * - `streamGone`: an append or stop failed, so the stream ended (expired, or stopped elsewhere); edit the message;
 * - `repost`: the message was deleted by someone; post it again;
 * - `giveUp`: no retry can help (the retry table says permanent), or a must-land update ran out of tries;
 * - `retry`: back off and try again (the loop recomputes the update, so the retry carries the newest text).
 */
export type UpdateFailureAction = "nativeRefused" | "statusRefused" | "streamGone" | "repost" | "giveUp" | "retry";

/**
 * How long a final text is retried through transient failures (a platform outage) before the reply is given up
 * on and marked another way: the user sees the answer when the platform is back, rather than a placeholder
 * frozen after a few seconds of errors.
 * @internal Exported for the unit test of the retry rule.
 */
export const FINAL_RETRY_MS = 120_000;

export function judgeUpdateFailure(
  op: ReplyOperation,
  err: unknown,
  opts: { readonly failuresInARow: number; readonly isFinal: boolean; readonly finalForMs?: number },
): UpdateFailureAction {
  if (op.kind === "nativeStart") return "nativeRefused";
  if (op.kind === "append" || op.kind === "nativeStop") return "streamGone";
  if (op.kind === "status") return classifyPlatformFailure(err) === "permanent" || opts.failuresInARow >= MUST_LAND_ATTEMPTS ? "statusRefused" : "retry";
  if (err instanceof PlatformNotFoundError && op.kind === "edit") return "repost";
  if (classifyPlatformFailure(err) === "permanent") return "giveUp";
  // The final text is retried for as long as FINAL_RETRY_MS allows, however many tries that takes.
  if (opts.isFinal) return (opts.finalForMs ?? 0) >= FINAL_RETRY_MS ? "giveUp" : "retry";
  // Routine updates are superseded by the next one anyway; the other texts a user must see get a bounded number of tries.
  const mustLand = op.kind === "post" || (op.kind === "edit" && !op.routine);
  if (mustLand && opts.failuresInARow >= MUST_LAND_ATTEMPTS) return "giveUp";
  return "retry";
}
