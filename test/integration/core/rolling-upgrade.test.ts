import { Job, Queue, Worker } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import type { InboundEvent } from "../../../src/contracts/chat-platform.js";
import type { InboundMessage } from "../../../src/contracts/messages.js";
import type { BridgeJobData } from "../../../src/queue/job-types.js";
import { JOB_DATA_VERSION } from "../../../src/queue/job-version.js";
import { ThreadFifo } from "../../../src/state/thread-fifo.js";
import { scripts } from "../../fakes/dify/index.js";
import { type BridgeHarness, eventually, startBridge } from "../../support/bridge-harness.js";
import { openRedis, REDIS_IS_CLUSTER } from "../../support/redis.js";

function msgOf(e: InboundEvent): InboundMessage {
  if (e.kind !== "message") throw new Error("not a message");
  return e.message;
}

/**
 * Two releases share one queue during a rolling upgrade. These tests write jobs as another release's ingress
 * would (its FIFO entry first, then the job, as ReplyQueue does) and watch what this release's worker does.
 */
describe("rolling upgrades: job data carries its shape version", () => {
  let h: BridgeHarness;
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await h?.close();
  });

  function producer() {
    const connection = openRedis();
    const queue = new Queue<BridgeJobData>("replies", { connection, prefix: REDIS_IS_CLUSTER ? `{${h.prefix}}` : h.prefix });
    closers.push(async () => {
      await queue.close();
      connection.disconnect();
    });
    const fifo = new ThreadFifo(h.redis, h.key, 60_000);
    return {
      queue,
      async write(jobId: string, data: Record<string, unknown> & { message: InboundMessage }) {
        await fifo.push(data.message.conversationKey, jobId);
        await queue.add("reply", data as unknown as BridgeJobData, { jobId, attempts: 5 });
      },
    };
  }

  it("a job in the previous shape (no version, no parts) is answered by this release and saved in today's shape", async () => {
    h = await startBridge();
    h.dify.onChat((turn) => scripts.answer(`Answer to ${turn.query}`));
    const message = msgOf(h.platform.message({ text: "Written by the old release" }));
    const p = producer();
    // Exactly what the release before versioning wrote: ReplyJobData as it was then.
    await p.write("old-job-1", { kind: "reply", message });

    await eventually(() => h.platform.visibleText({ channelId: "C1", threadId: message.messageId }) === "Answer to Written by the old release");
    expect(h.dify.chatRequests.map((r) => r.chat.query)).toEqual(["Written by the old release"]);
    const job = await eventually(async () => {
      const j = await Job.fromId(p.queue, "old-job-1");
      return (await j?.getState()) === "completed" ? j : undefined;
    });
    // Saved in today's shape; once answered, the job keeps ids only (job-retention.ts), so the question is gone.
    expect(job.data).toMatchObject({ kind: "reply", v: JOB_DATA_VERSION, message: { messageId: message.messageId, text: "" } });
  });

  it("a job from a newer release is left alone (delayed, no attempt spent, data untouched) and a newer worker gets it whole", async () => {
    h = await startBridge();
    h.dify.onChat(() => scripts.answer("must not be asked"));
    const message = msgOf(h.platform.message({ text: "Written by the next release" }));
    const p = producer();
    const future = { kind: "reply", v: JOB_DATA_VERSION + 1, message, shapeOfTheFuture: { lanes: ["a", "b"] } };
    await p.write("new-job-1", future);

    await eventually(() => h.logs.some((l) => l.msg === "job written by a newer release: left for a newer worker" && l.obj.jobId === "new-job-1"));
    const parked = await eventually(async () => {
      const job = await Job.fromId(p.queue, "new-job-1");
      return (await job?.getState()) === "delayed" ? job : undefined;
    });
    expect(parked.attemptsMade).toBe(0);
    expect(parked.data).toEqual(future);
    expect(h.dify.chatRequests).toHaveLength(0);
    expect(h.platform.ops).toHaveLength(0);

    // The old release goes away; a worker of the newer release takes the job with everything it wrote.
    await h.bridge.shutdown();
    const received: unknown[] = [];
    const connection = openRedis(undefined, { blocking: true });
    closers.push(async () => connection.disconnect());
    const newer = new Worker(
      "replies",
      async (job) => {
        received.push(job.data);
      },
      { connection, prefix: REDIS_IS_CLUSTER ? `{${h.prefix}}` : h.prefix },
    );
    closers.push(() => newer.close());
    await parked.promote();
    await eventually(() => received.length === 1);
    expect(received[0]).toEqual(future);
  });
});
