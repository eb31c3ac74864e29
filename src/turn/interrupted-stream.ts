import type { Job } from "bullmq";
import type { Logger } from "../contracts/logger.js";
import type { PlatformRoute } from "../gateway/platform-route.js";
import type { ReplyJobData } from "../queue/job-types.js";
import type { Placeholder } from "./placeholder.js";

/**
 * A native stream's reference is recorded only once the platform answered its start: a worker that died in
 * between leaves a job with no record of a message the thread shows. Before this run shows anything, the thread is
 * asked for that message (`NativeStreaming.adoptInterrupted`), with the thread's lock held: turns of a thread run
 * one at a time, so a message after the question that carries no key can only be this turn's.
 * - Nothing was posted before the stream (the status line stood in): the stream becomes the reply's message and
 *   the answer goes on in it by edits (saved with the job first). Adopting it rather than deleting it and
 *   streaming anew keeps exactly one bot message on screen throughout: the partial text stays until the answer
 *   replaces it, with no moment of none and no second stream below it.
 * - A placeholder was posted (it keeps the Stop button while a stream runs below it): the stream is the extra
 *   message and is removed; the answer goes on in the placeholder, as after any interruption.
 * The edit path streams nothing natively and looks for nothing.
 */
export async function adoptInterruptedStream(
  job: Job<ReplyJobData>,
  route: PlatformRoute,
  placeholder: Placeholder,
  /** The app's streaming setting (unset: the platform's). */
  streamMode: "auto" | "edit" | "native" | undefined,
  log: Logger,
): Promise<Placeholder> {
  const ranBefore = job.attemptsMade > 0 || (job.stalledCounter ?? 0) > 0;
  const streaming = route.platform.streaming;
  const adopt = streaming?.adoptInterrupted?.bind(streaming);
  if (!ranBefore || !adopt || streamMode === "edit" || (job.data.parts?.length ?? 0) > 0) return placeholder;
  const msg = job.data.message;
  const ref = await adopt(msg.replyTarget, { turnId: job.id as string, afterMessageId: msg.messageId });
  if (!ref || ref.messageId === placeholder.ref?.messageId) return placeholder;
  if (placeholder.ref !== null) {
    const remove = route.platform.deleteMessage?.bind(route.platform);
    if (remove) {
      await route.mustLand("delete", () => remove(ref));
      log.info({ messageId: ref.messageId }, "removed the stream an earlier run left beside its placeholder");
    }
    return placeholder;
  }
  log.info({ messageId: ref.messageId }, "adopted the message an earlier run streamed into");
  const adopted: Placeholder = { ...placeholder, ref, adoptedStream: true };
  await job.updateData({ ...job.data, placeholder: adopted });
  return adopted;
}
