import type { Job } from "bullmq";
import type { ChatPlatform } from "../contracts/chat-platform.js";
import type { Logger } from "../contracts/logger.js";
import type { ReplyJobData } from "../queue/job-types.js";
import type { Placeholder } from "./placeholder.js";

/**
 * On the native path nothing is posted before the stream, and a stream's `ts` is recorded only once
 * chat.startStream answered: a worker that died in between leaves a job with no reference to a message the thread
 * shows. Before this run shows anything, the thread is asked for that message (`NativeStreaming.adoptInterrupted`);
 * found, it becomes the reply's message and the answer goes on in it by edits (saved with the job first). Adopting
 * rather than deleting it and streaming anew keeps exactly one bot message on screen throughout: the partial
 * text stays until the answer replaces it, with no moment of none and no second stream below it.
 * Called with the thread's lock held: turns of a thread run one at a time, so a message after the question that
 * carries no key can only be this turn's.
 */
export async function adoptInterruptedStream(job: Job<ReplyJobData>, platform: ChatPlatform, placeholder: Placeholder, log: Logger): Promise<Placeholder> {
  const ranBefore = job.attemptsMade > 0 || (job.stalledCounter ?? 0) > 0;
  const adopt = platform.streaming?.adoptInterrupted?.bind(platform.streaming);
  if (!ranBefore || !adopt || placeholder.ref !== null || (job.data.parts?.length ?? 0) > 0) return placeholder;
  const msg = job.data.message;
  const ref = await adopt(msg.replyTarget, { turnId: job.id as string, afterMessageId: msg.messageId });
  if (!ref) return placeholder;
  log.info({ messageId: ref.messageId }, "adopted the message an earlier run streamed into");
  const adopted: Placeholder = { ...placeholder, ref, adoptedStream: true };
  await job.updateData({ ...job.data, placeholder: adopted });
  return adopted;
}
