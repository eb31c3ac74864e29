import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RedisThreadLog } from "../../../src/state/redis-thread-log.js";
import { type TestRedis, testRedis } from "../../support/redis.js";

const entry = (i: number) => ({
  id: `1700000000.${String(i).padStart(6, "0")}`,
  order: 1_700_000_000 + i / 1e6,
  userId: "U1",
  isBot: false,
  text: `message ${i}`,
});

describe("RedisThreadLog (real Redis): the bounded, expiring cache of a thread's messages", () => {
  let t: TestRedis;
  beforeEach(async () => {
    t = await testRedis();
  });
  afterEach(() => t.cleanup());

  it("keeps the newest 60 of a long thread, in order, and expires with its TTL", async () => {
    const log = new RedisThreadLog(t.redis, t.key, 60_000);
    // Written out of order, as events from several people may arrive.
    for (const i of [...Array.from({ length: 70 }, (_, i) => i + 1)].reverse()) await log.record("slack:T1:C1:1700000000.000001", entry(i));
    const kept = await log.read("slack:T1:C1:1700000000.000001");
    expect(kept).toHaveLength(60);
    expect(kept[0]?.text).toBe("message 11");
    expect(kept.at(-1)?.text).toBe("message 70");
    const ttl = await t.redis.pttl(t.key("threadlog", "slack:T1:C1:1700000000.000001"));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("an entry recorded again replaces the first (an edit, a streamed answer's final text); remove drops it", async () => {
    const log = new RedisThreadLog(t.redis, t.key, 60_000);
    await log.record("th", entry(1));
    await log.record("th", { ...entry(1), text: "edited" });
    expect((await log.read("th")).map((e) => e.text)).toEqual(["edited"]);
    await log.remove("th", entry(1).id);
    expect(await log.read("th")).toEqual([]);
  });
});
