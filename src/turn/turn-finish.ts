import type { MessageRef } from "../contracts/messages.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import type { FinalView } from "../reply/reply-layout.js";
import type { ReplyStreamer } from "../reply/reply-streamer.js";
import type { ReplyIndex } from "../state/reply-index.js";
import { difyUserFor, type TurnContext } from "./turn-context.js";

export type TurnOutcome = "ok" | "stopped" | "error";

/**
 * Posted in the thread when the final text could not be shown (the platform kept failing for FINAL_RETRY_MS): the
 * reply may still show a placeholder or a partial answer, and this says so rather than leave it looking complete.
 */
const FINAL_NOT_SHOWN_TEXT = "⚠️ I could not show the end of this answer: the chat platform kept failing. Ask again to see it.";
/** How long the marking post may wait for a slot. */
const MARK_WAIT_MS = 10_000;

export interface TurnFinishDeps {
  readonly replies: ReplyIndex;
  readonly metrics: BridgeMetrics;
}

/** Shows the final view exactly, indexes its messages for feedback, and writes the answer's one summary line. */
export async function finishTurn(
  deps: TurnFinishDeps,
  ctx: TurnContext,
  streamer: ReplyStreamer,
  view: FinalView,
  outcome: TurnOutcome,
  difyMessageId?: string,
): Promise<readonly MessageRef[]> {
  const refs = await streamer.finish(view);
  if (difyMessageId) await indexReply(deps.replies, ctx, refs, difyMessageId);
  const totalMs = Date.now() - Date.parse(ctx.data.message.receivedAt);
  if (!streamer.finalShown) {
    // Logged as what it was: the answer exists, the user does not see all of it.
    deps.metrics.repliesCompleted.labels(ctx.platform.id, "undelivered").inc();
    ctx.tracker?.ended("undelivered");
    deps.metrics.appAnswers.labels(ctx.app.id, "undelivered").inc();
    ctx.logger.error(
      { outcome: "undelivered", answerOutcome: outcome, parts: refs.length, difyMessageId, totalMs },
      "answer not delivered: its final text could not be shown",
    );
    await markUndelivered(ctx);
    return refs;
  }
  deps.metrics.repliesCompleted.labels(ctx.platform.id, outcome).inc();
  ctx.tracker?.ended(outcome);
  deps.metrics.appAnswers.labels(ctx.app.id, outcome).inc();
  ctx.logger.info({ outcome, parts: refs.length, difyMessageId, totalMs }, "answer delivered");
  return refs;
}

/** Every message of the answer maps to its Dify message, so a 👍 on any part of it rates the answer. */
export async function indexReply(replies: ReplyIndex, ctx: TurnContext, refs: readonly MessageRef[], difyMessageId: string): Promise<void> {
  const key = ctx.data.message.conversationKey;
  await replies.record(refs, { difyMessageId, difyUser: difyUserFor(key), conversationKey: key, app: ctx.app.id });
}

/** A separate message says the reply is incomplete (a post may work where edits do not); best effort, logged. */
async function markUndelivered(ctx: TurnContext): Promise<void> {
  const { platform } = ctx.route;
  const target = ctx.data.message.replyTarget;
  const key = { turnId: ctx.turnId, part: 1_000 };
  const posted = await ctx.route
    .routine("post", () => platform.postMessage(target, { markdown: FINAL_NOT_SHOWN_TEXT }, { key }), { maxWaitMs: MARK_WAIT_MS })
    .catch((err: unknown) => {
      ctx.logger.error({ err }, "could not mark the reply as incomplete either");
      return false;
    });
  ctx.logger.warn({ marked: posted }, posted ? "reply marked as incomplete" : "reply could not be marked as incomplete");
}
