import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { effectiveWindowMs, RateBudgetStore } from "../../../src/rate/rate-budget-store.js";
import { type TestRedis, testRedis } from "../../support/redis.js";

describe("RateBudgetStore (real Redis)", () => {
  let t: TestRedis;
  let store: RateBudgetStore;
  beforeEach(async () => {
    t = await testRedis();
    store = new RateBudgetStore(t.redis, t.key);
  });
  afterEach(() => t.cleanup());

  const budget = { key: "ws1:update", limit: 10, windowMs: 60_000 };

  it("grants high-priority calls up to the limit and then tells how long to wait", async () => {
    const results = [];
    for (let i = 0; i < 11; i++) results.push(await store.acquire([budget], { priority: "high" }));
    expect(results.slice(0, 10).every((r) => r.granted)).toBe(true);
    const last = results[10];
    expect(last?.granted).toBe(false);
    if (last && !last.granted) {
      expect(last.waitMs).toBeGreaterThan(effectiveWindowMs(budget.windowMs) - 5_000);
      expect(last.waitMs).toBeLessThanOrEqual(effectiveWindowMs(budget.windowMs));
    }
  });

  it("remembers an urgent refusal until the wait it was told has passed", async () => {
    const tiny = { key: "ws1:stop", limit: 1, windowMs: 400, refill: "continuous" as const };
    expect(store.refusedRecently([tiny])).toBe(false);
    expect((await store.acquire([tiny], { priority: "high" })).granted).toBe(true);
    const refused = await store.acquire([tiny], { priority: "high" });
    expect(refused.granted).toBe(false);
    expect(store.refusedRecently([tiny])).toBe(true);
    // Another process's store has seen no refusal: the hint is this process's own.
    expect(new RateBudgetStore(t.redis, t.key).refusedRecently([tiny])).toBe(false);
    await new Promise((r) => setTimeout(r, refused.granted ? 0 : refused.waitMs + 20));
    expect(store.refusedRecently([tiny])).toBe(false);
    // A routine refusal says nothing of urgent requests (the reserve may be what refused it).
    const other = { key: "ws1:update2", limit: 1, windowMs: 60_000 };
    await store.acquire([other], { priority: "high" });
    expect((await store.acquire([other], { priority: "normal" })).granted).toBe(false);
    expect(store.refusedRecently([other])).toBe(false);
    expect((await store.acquire([other], { priority: "high" })).granted).toBe(false);
    expect(store.refusedRecently([other])).toBe(true);
  });

  it("a late event loop widens the window: the next slot of a 1 s budget is twice the lateness later", async () => {
    const short = { key: "ws1:late", limit: 2, windowMs: 1_000 };
    const onTime = new RateBudgetStore(t.redis, t.key);
    const late = new RateBudgetStore(t.redis, t.key, () => 400);
    for (let i = 0; i < 2; i++) expect((await onTime.acquire([short], { priority: "high" })).granted).toBe(true);
    const fixed = await onTime.acquire([short], { priority: "high" });
    const widened = await late.acquire([short], { priority: "high" });
    expect(fixed.granted || widened.granted).toBe(false);
    if (!fixed.granted && !widened.granted) {
      expect(fixed.waitMs).toBeLessThanOrEqual(1_100);
      // 1 s + 2 × 400 ms: a worker running 400 ms late keeps a granted call that long before sending it.
      expect(widened.waitMs).toBeGreaterThan(1_500);
      expect(widened.waitMs).toBeLessThanOrEqual(1_800);
    }
  });

  it("a continuous budget refills one call per window/limit after a burst, where a window budget frees nothing for the window", async () => {
    const refilling = { ...budget, key: "ws1:update-refilling", refill: "continuous" as const };
    for (let i = 0; i < 10; i++) expect((await store.acquire([refilling], { priority: "high" })).granted).toBe(true);
    const next = await store.acquire([refilling], { priority: "high" });
    expect(next.granted).toBe(false);
    // One call returns every 61 s / 10 = 6.1 s (the window has its jitter margin): the next slot is that far off,
    // not a whole window.
    if (!next.granted) {
      expect(next.waitMs).toBeGreaterThan(5_000);
      expect(next.waitMs).toBeLessThanOrEqual(Math.ceil(effectiveWindowMs(budget.windowMs) / 10) + 1);
    }
    expect((await store.usage([refilling]))[0]).toMatchObject({ used: 10, limit: 10 });
    // Keys of both meters live side by side (different Redis types, different key kinds).
    expect((await store.acquire([budget], { priority: "high" })).granted).toBe(true);
    expect(await t.redis.type(t.key("bucket", refilling.key))).toBe("string");
    expect(await t.redis.type(t.key("budget", budget.key))).toBe("zset");
  });

  it("a continuous budget keeps the reserve too, counted in tokens", async () => {
    const refilling = { key: "ws1:fast", limit: 10, windowMs: 60_000, refill: "continuous" as const };
    let granted = 0;
    for (let i = 0; i < 20; i++) if ((await store.acquire([refilling], { priority: "normal", streamId: `s${i % 3}` })).granted) granted++;
    expect(granted).toBe(7);
    expect((await store.acquire([refilling], { priority: "high" })).granted).toBe(true);
  });

  it("keeps a reserve for first and final texts that routine updates cannot take", async () => {
    // 3 active streams → reserve min(floor(10 * 0.4), 3) = 3: routine updates stop at 7.
    let granted = 0;
    for (let i = 0; i < 20; i++) {
      const r = await store.acquire([budget], { priority: "normal", streamId: `s${i % 3}` });
      if (r.granted) granted++;
    }
    expect(granted).toBe(7);
    const final = await store.acquire([budget], { priority: "high" });
    expect(final.granted).toBe(true);
    const usage = await store.usage([budget]);
    expect(usage[0]).toMatchObject({ used: 8, active: 3, limit: 10 });
  });

  it("spends every budget of a call or none (a Discord edit spends its channel and the global budget)", async () => {
    const channel = { key: "ch1", limit: 2, windowMs: 5_000 };
    const global = { key: "global", limit: 3, windowMs: 1_000 };
    expect((await store.acquire([channel, global], { priority: "high" })).granted).toBe(true);
    expect((await store.acquire([channel, global], { priority: "high" })).granted).toBe(true);
    const third = await store.acquire([channel, global], { priority: "high" });
    expect(third.granted).toBe(false);
    // The refused call spent nothing: the global budget still has one slot.
    expect((await store.usage([global]))[0]?.used).toBe(2);
    expect((await store.acquire([{ key: "ch2", limit: 2, windowMs: 5_000 }, global], { priority: "high" })).granted).toBe(true);
  });

  it("blocks a budget after a 429 for the time the platform asked, for every process", async () => {
    await store.block(["ws1:update"], 1_500);
    const r = await store.acquire([budget], { priority: "high" });
    expect(r.granted).toBe(false);
    if (!r.granted) expect(r.waitMs).toBeGreaterThan(1_000);
    const other = new RateBudgetStore(t.redis, t.key);
    expect((await other.acquire([budget], { priority: "high" })).granted).toBe(false);
  });

  it("forgets streams that left", async () => {
    await store.acquire([budget], { priority: "normal", streamId: "a" });
    await store.acquire([budget], { priority: "normal", streamId: "b" });
    await store.leave([budget], "a");
    expect((await store.usage([budget]))[0]?.active).toBe(1);
  });

  it("never grants more than the limit under concurrent callers", async () => {
    const tight = { key: "tight", limit: 25, windowMs: 60_000 };
    const attempts = await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.acquire([tight], { priority: i % 2 ? "high" : "normal", streamId: `s${i % 7}` })),
    );
    expect(attempts.filter((a) => a.granted).length).toBe(25);
  });
});
