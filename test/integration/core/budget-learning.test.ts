import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BudgetLearning } from "../../../src/rate/budget-learning.js";
import { RateBudgetStore } from "../../../src/rate/rate-budget-store.js";
import { captureLogger } from "../../support/capture-logger.js";
import { type TestRedis, testRedis } from "../../support/redis.js";

/** Two processes: one hears the platform's answers, the other only shares Redis with it. */
describe("BudgetLearning (real Redis)", () => {
  let t: TestRedis;
  let hearing: RateBudgetStore;
  let other: RateBudgetStore;
  let learning: BudgetLearning;
  beforeEach(async () => {
    t = await testRedis();
    hearing = new RateBudgetStore(t.redis, t.key);
    other = new RateBudgetStore(t.redis, t.key);
    learning = new BudgetLearning(hearing, captureLogger([]));
  });
  afterEach(() => t.cleanup());

  const channel = { key: "discord:channel:42", limit: 5, windowMs: 5_000 };

  it("a limit the platform reports replaces the declared one, smaller or larger, in every process", async () => {
    await learning.apply({ key: channel.key, limit: 2, remaining: 1, resetAfterMs: 5_000 });
    expect((await other.acquire([channel], { priority: "high" })).granted).toBe(true);
    expect((await other.acquire([channel], { priority: "high" })).granted).toBe(true);
    const third = await other.acquire([channel], { priority: "high" });
    expect(third.granted).toBe(false);
    expect(third.usage[0]?.limit).toBe(2);

    const roomy = { ...channel, key: "discord:channel:43" };
    await learning.apply({ key: roomy.key, limit: 8, remaining: 7, resetAfterMs: 5_000 });
    let granted = 0;
    for (let i = 0; i < 10; i++) if ((await other.acquire([roomy], { priority: "high" })).granted) granted++;
    expect(granted).toBe(8);
    expect((await other.usage([roomy]))[0]?.limit).toBe(8);
  });

  it("0 remaining blocks the budget until the platform's reset, though this process spent none of it", async () => {
    await learning.apply({ key: channel.key, limit: 5, remaining: 0, resetAfterMs: 1_200 });
    const refused = await other.acquire([channel], { priority: "high" });
    expect(refused.granted).toBe(false);
    if (!refused.granted) {
      expect(refused.waitMs).toBeGreaterThan(900);
      expect(refused.waitMs).toBeLessThanOrEqual(1_200);
    }
    await new Promise((r) => setTimeout(r, 1_250));
    expect((await other.acquire([channel], { priority: "high" })).granted).toBe(true);
  });

  it("a 429's Retry-After blocks that budget only, for that long", async () => {
    const global = { key: "discord:global", limit: 50, windowMs: 1_000 };
    await learning.apply({ key: channel.key, retryAfterMs: 800 });
    const refused = await other.acquire([channel], { priority: "high" });
    expect(refused.granted).toBe(false);
    if (!refused.granted) expect(refused.waitMs).toBeGreaterThan(600);
    expect((await other.acquire([global], { priority: "high" })).granted).toBe(true);
  });

  it("remaining counts above 0 block nothing", async () => {
    await learning.apply({ key: channel.key, limit: 5, remaining: 3, resetAfterMs: 4_000 });
    expect((await other.acquire([channel], { priority: "high" })).granted).toBe(true);
  });
});
