import { setTimeout as sleep } from "node:timers/promises";
import { Job, type Queue } from "bullmq";
import type { Logger } from "../contracts/logger.js";
import type { BridgeJobData } from "../queue/job-types.js";
import type { ThreadFifo } from "../state/thread-fifo.js";

/** Whether `turnId` is first in its thread, removing dead entries (jobs that failed or vanished) on the way. */
export async function isFirstInThread(fifo: ThreadFifo, queue: Queue<BridgeJobData>, key: string, turnId: string): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    const head = await fifo.head(key);
    if (head === turnId) return true;
    if (head === null || (await fifo.position(key, turnId)) === null) {
      await fifo.push(key, turnId); // an entry that expired or was cleaned up: queue again, at the end
      continue;
    }
    const headJob = await Job.fromId(queue, head);
    const state = headJob ? await headJob.getState() : "unknown";
    if (state === "completed" || state === "failed" || state === "unknown") {
      await fifo.remove(key, head);
      continue;
    }
    return false;
  }
  return false;
}

/** Wakes the next job of the thread now rather than at its re-check time. */
export async function promote(queue: Queue<BridgeJobData>, jobId: string, log: Logger): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const job = await Job.fromId(queue, jobId);
    if (!job) return;
    const state = await job.getState();
    if (state === "delayed") {
      await job.promote().catch((err: unknown) => log.debug({ err }, "promote raced"));
      return;
    }
    // "active": it is deciding right now whether it is first; give it a moment to park itself.
    if (state !== "active") return;
    await sleep(50);
  }
}
