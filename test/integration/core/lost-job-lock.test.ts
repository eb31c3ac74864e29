import { Job, Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import type { BridgeJobData } from "../../../src/queue/job-types.js";
import { queuePrefix } from "../../../src/state/redis-keys.js";
import { scripts } from "../../fakes/dify/index.js";
import { type BridgeHarness, eventually, startBridge } from "../../support/bridge-harness.js";
import { openRedis, REDIS_IS_CLUSTER } from "../../support/redis.js";

/**
 * The short job lock (src/queue/worker-locks.ts) has one risk: a worker that is alive but could not renew its
 * lock in time loses the job, and BullMQ hands it out again while the first run is still answering. Here the
 * lock is taken away mid-answer (its key deleted, as a lapse would leave it): the second run must wait for the
 * thread and then leave the finished answer alone, not "recover" it over the top.
 */
describe("a live worker that loses its job lock mid-answer", () => {
  let h: BridgeHarness;
  afterEach(async () => h?.close());

  it("the job's second run finds the turn answered and changes nothing: the reply stays the exact answer", async () => {
    h = await startBridge({ env: { JOB_LOCK_MS: "2000" } });
    const answer = Array.from({ length: 40 }, (_, i) => `part${i}`).join(" ");
    h.dify.onChat(() => scripts.answer(answer, { chunkChars: 10, delayMs: 100 }));
    const event = h.platform.message({ text: "A long one, please" });
    if (event.kind !== "message") throw new Error("not a message");
    await h.platform.emit(event);

    const connection = openRedis(undefined, { blocking: true });
    const queue = new Queue<BridgeJobData>("replies", { connection, prefix: queuePrefix(h.prefix, { hashTags: REDIS_IS_CLUSTER }) });
    try {
      const [job] = await eventually(async () => {
        const active = await queue.getJobs(["active"]);
        return active.length > 0 && h.platform.opsOf("edit").some((o) => o.content?.markdown.startsWith("part0")) ? active : undefined;
      });
      // The lock lapses under the running answer (what a blocked event loop or a Redis hiccup would cause).
      await h.redis.del(`${queue.toKey(job?.id as string)}:lock`);

      const done = await eventually(async () => {
        const j = await Job.fromId(queue, job?.id as string);
        return j && (await j.getState()) === "completed" ? j : undefined;
      }, 20_000);
      expect(done.stalledCounter).toBeGreaterThanOrEqual(1); // it really was handed out a second time
    } finally {
      await queue.close();
      connection.disconnect();
    }
    const shown = h.platform.visibleMessages({ channelId: "C1", threadId: event.message.messageId }).map((m) => m.content.markdown);
    expect(shown).toEqual([answer]);
    expect(h.platform.opsOf("edit").some((o) => o.content?.markdown.includes("Recovered"))).toBe(false);
    expect(h.dify.chatRequests).toHaveLength(1);
    expect(h.dify.stopRequests).toHaveLength(0);
    expect(h.logs.some((l) => l.msg === "this turn was already answered by an earlier run; not answering again")).toBe(true);
  }, 40_000);
});
