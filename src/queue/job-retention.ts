import type { Job } from "bullmq";
import type { Logger } from "../contracts/logger.js";
import type { BridgeJobData } from "./job-types.js";

/**
 * How long BullMQ keeps finished jobs. BullMQ's keys carry no Redis TTL: it deletes finished jobs itself, by
 * age and count, whenever another job finishes. Completed jobs are kept a few minutes (a late thread-order
 * check may still look one up; a missing job reads as finished anyway), failed ones a day for post-mortems,
 * and never more than a thousand of either.
 */
export const REMOVE_ON_COMPLETE = { age: 300, count: 1_000 };
export const REMOVE_ON_FAIL = { age: 24 * 3_600, count: 1_000 };

const REDACTED = "";

/**
 * What a finished job keeps while BullMQ holds it: the ids a post-mortem needs, none of what people wrote or
 * who they are (the question, display names, file names, signed file URLs, the placeholder's text).
 */
function redactFinishedJob(data: BridgeJobData): BridgeJobData {
  if (data.kind !== "reply") return data;
  const m = data.message;
  return {
    kind: "reply",
    ...(data.v !== undefined ? { v: data.v } : {}),
    message: {
      ...m,
      author: { userId: m.author.userId, displayName: REDACTED },
      text: REDACTED,
      attachments: [],
    },
    ...(data.dify ? { dify: data.dify } : {}),
    ...(data.placeholder ? { placeholder: { ref: data.placeholder.ref, content: { markdown: REDACTED } } } : {}),
  };
}

/**
 * Once a job completed, its stored data is redacted. Failed jobs keep theirs for the post-mortem they are
 * kept for (a day at most, see REMOVE_ON_FAIL).
 */
export async function redactWhenFinished(job: Job<BridgeJobData> | undefined, logger: Logger): Promise<void> {
  if (job?.data.kind !== "reply") return;
  // The job may already be gone (removed by count): nothing left to redact.
  await job.updateData(redactFinishedJob(job.data)).catch((err: unknown) => logger.debug({ err, jobId: job.id }, "finished job not redacted"));
}
