import type { MessageRef } from "../contracts/messages.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import type { FinalView } from "../reply/reply-layout.js";
import type { ReplyStreamer } from "../reply/reply-streamer.js";
import type { ReplyIndex } from "../state/reply-index.js";
import { difyUserFor, type TurnContext } from "./turn-context.js";

export type TurnOutcome = "ok" | "stopped" | "error";

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
  deps.metrics.repliesCompleted.labels(ctx.platform.id, outcome).inc();
  ctx.logger.info({ outcome, parts: refs.length, difyMessageId, totalMs: Date.now() - Date.parse(ctx.data.message.receivedAt) }, "answer delivered");
  return refs;
}

/** Every message of the answer maps to its Dify message, so a 👍 on any part of it rates the answer. */
export async function indexReply(replies: ReplyIndex, ctx: TurnContext, refs: readonly MessageRef[], difyMessageId: string): Promise<void> {
  const key = ctx.data.message.conversationKey;
  await replies.record(refs, { difyMessageId, difyUser: difyUserFor(key), conversationKey: key });
}
