import { afterAll, describe, expect, it } from "vitest";
import { startClusterTopology } from "../../support/redis-topology.js";

/**
 * The core's own scenarios, unchanged, on a three-primary Redis Cluster: order within a thread and dedupe
 * (reply flow), feedback, stop and the per-user limit (interactions), the shared budgets and the thread FIFO,
 * every key's TTL, and crash recovery by a second worker process. Under Cluster a Lua script or MULTI may only
 * touch keys of one slot, so these pass only if the key builder's hash tags and BullMQ's tagged prefix hold.
 *
 * REDIS_URL is set before the scenario files (and test/support/redis.ts, which reads it) are loaded.
 */
const cluster = await startClusterTopology();
afterAll(() => cluster.stop());
process.env.REDIS_URL = cluster.url;

const { openRedis, keysByPrefix } = await import("../../support/redis.js");
const { startBridge, eventually } = await import("../../support/bridge-harness.js");
const { scripts } = await import("../../fakes/dify/index.js");

describe("Redis Cluster: the bridge's keys spread over the nodes, one slot per thread", () => {
  it("answers, with one thread's keys in one slot and BullMQ's queue in its tagged slot", async () => {
    const h = await startBridge();
    try {
      h.dify.onChat((turn) => scripts.answer(`Answer to ${turn.query}`));
      const questions = ["one", "two", "three", "four", "five", "six"];
      const events = questions.map((q) => h.platform.message({ text: q }));
      for (const e of events) await h.platform.emit(e);
      for (const q of questions) await eventually(() => h.platform.visibleMessages({ channelId: "C1" }).some((m) => m.content.markdown === `Answer to ${q}`));

      const redis = openRedis();
      const slotOf = async (key: string) => Number(await redis.call("CLUSTER", "KEYSLOT", key));
      const keys = await keysByPrefix(redis, h.prefix);
      const first = events[0]?.kind === "message" ? events[0].message.conversationKey : "";
      const threadKeys = keys.filter((k) => k.includes(`{${first}}`));
      expect(threadKeys.length).toBeGreaterThanOrEqual(2);
      expect(new Set(await Promise.all(threadKeys.map(slotOf))).size).toBe(1);
      const queueKeys = keys.filter((k) => k.startsWith(`{${h.prefix}}:replies:`));
      expect(queueKeys.length).toBeGreaterThan(3);
      expect(new Set(await Promise.all(queueKeys.map(slotOf))).size).toBe(1);
      // Six threads' state is not all on one node: the Cluster actually shares the load.
      const slots = await Promise.all(keys.filter((k) => k.startsWith(`${h.prefix}:thread:`)).map(slotOf));
      const ranges = (await redis.call("CLUSTER", "SLOTS")) as Array<[number, number]>;
      const nodesUsed = new Set(slots.map((s) => ranges.findIndex(([lo, hi]) => s >= lo && s <= hi)));
      expect(nodesUsed.size).toBeGreaterThan(1);
      redis.disconnect();
    } finally {
      await h.close();
    }
  });
});

await import("../core/reply-flow.test.js");
await import("../core/interactions.test.js");
await import("../core/rate-budget-store.test.js");
await import("../core/thread-fifo.test.js");
await import("../core/http-and-state.test.js");
await import("../core/rolling-upgrade.test.js");
await import("../process/worker-lifecycle.test.js");
