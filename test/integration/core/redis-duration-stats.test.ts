import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RedisDurationStats } from "../../../src/rate/redis-duration-stats.js";
import { captureLogger } from "../../support/capture-logger.js";
import { type TestRedis, testRedis } from "../../support/redis.js";

describe("RedisDurationStats (real Redis)", () => {
  let r: TestRedis;
  beforeEach(async () => {
    r = await testRedis();
  });
  afterEach(async () => {
    await r.cleanup();
  });

  it("shares what one process learned with a process started later, from its first answer", async () => {
    const first = new RedisDurationStats(r.redis, r.key, captureLogger(), 8_000, 0.5);
    expect(first.expectedMs()).toBe(8_000);
    first.observe(4_000);
    await expect.poll(() => r.redis.get(r.key("stats", "answer-duration"))).toBe("6000");
    first.observe(4_000);
    await expect.poll(() => r.redis.get(r.key("stats", "answer-duration"))).toBe("5000");

    const later = new RedisDurationStats(r.redis, r.key, captureLogger(), 8_000, 0.5);
    await later.load();
    expect(later.expectedMs()).toBe(5_000);
    expect(await r.redis.pttl(r.key("stats", "answer-duration"))).toBeGreaterThan(0);
  });

  it("starts from the default when nothing was learned yet, and ignores nonsense durations", async () => {
    const stats = new RedisDurationStats(r.redis, r.key, captureLogger(), 8_000, 0.5);
    await stats.load();
    expect(stats.expectedMs()).toBe(8_000);
    stats.observe(Number.NaN);
    stats.observe(-5);
    expect(stats.expectedMs()).toBe(8_000);
    expect(await r.redis.exists(r.key("stats", "answer-duration"))).toBe(0);
  });
});
