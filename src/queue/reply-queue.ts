import { randomUUID } from "node:crypto";
import type { Queue } from "bullmq";
import type { ThreadFifo } from "../state/thread-fifo.js";
import { REMOVE_ON_COMPLETE, REMOVE_ON_FAIL } from "./job-retention.js";
import type { BridgeJobData, FeedbackJobData, ReplyJobData } from "./job-types.js";
import { withJobDataVersion } from "./job-version.js";

/** The producer side: what ingress and button clicks call. */
export class ReplyQueue {
  constructor(
    private readonly queue: Queue<BridgeJobData>,
    private readonly fifo: ThreadFifo,
  ) {}

  /**
   * Queues an answer. The thread's FIFO entry is written first, so arrival order is fixed before any worker
   * can see the job; a failed add takes it back out, and the caller's error makes the platform redeliver.
   * Returns the job's position in its thread (0 = answered next).
   */
  async enqueueReply(jobId: string, data: ReplyJobData): Promise<number> {
    const key = data.message.conversationKey;
    const position = await this.fifo.push(key, jobId);
    try {
      // Dify failures are retried by the worker itself (in order, holding the thread) and never re-ask a question
      // Dify accepted; a job only fails before that point (the placeholder could not be posted, Redis hiccup),
      // so BullMQ may safely run it again. A worker that died is recovered through stalled-job detection.
      await this.queue.add("reply", withJobDataVersion(data), {
        jobId,
        attempts: 5,
        backoff: { type: "exponential", delay: 1_000 },
        removeOnComplete: REMOVE_ON_COMPLETE,
        removeOnFail: REMOVE_ON_FAIL,
      });
    } catch (err) {
      await this.fifo.remove(key, jobId).catch(() => undefined);
      throw err;
    }
    return position;
  }

  /** Ratings are re-synced from Redis state by each job, so any number of them for one message is harmless. */
  async enqueueFeedback(data: FeedbackJobData): Promise<void> {
    await this.queue.add("feedback", withJobDataVersion(data), {
      jobId: `fb-${data.difyMessageId}-${randomUUID()}`,
      attempts: 6,
      backoff: { type: "exponential", delay: 1_000 },
      removeOnComplete: REMOVE_ON_COMPLETE,
      removeOnFail: REMOVE_ON_FAIL,
    });
  }
}
