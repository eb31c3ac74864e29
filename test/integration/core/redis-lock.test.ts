import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RateBudgetStore } from "../../../src/rate/rate-budget-store.js";
import { LockBusyError, RedisLock } from "../../../src/state/redis-lock.js";
import { type TestRedis, testRedis } from "../../support/redis.js";

describe("RedisLock (real Redis)", () => {
  let t: TestRedis;
  let locks: RedisLock;
  beforeEach(async () => {
    t = await testRedis();
    locks = new RedisLock(t.redis);
  });
  afterEach(() => t.cleanup());

  it("lets one holder in at a time, across callers racing for it", async () => {
    const key = t.key("lock", "race");
    let inside = 0;
    let mostInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        locks.withLock(
          key,
          5_000,
          async () => {
            inside++;
            mostInside = Math.max(mostInside, inside);
            await sleep(10);
            order.push(i);
            inside--;
          },
          { waitMs: 5_000, retryEveryMs: 2 },
        ),
      ),
    );
    expect(mostInside).toBe(1);
    expect(order.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(await t.redis.exists(key)).toBe(0);
  });

  it("extends only for the token that holds it", async () => {
    const key = t.key("lock", "extend");
    const owner = await locks.tryAcquire(key, 1_000, "owner");
    expect(owner).not.toBeNull();
    expect(await locks.extend({ key, token: "intruder" }, 60_000)).toBe(false);
    expect(await t.redis.pttl(key)).toBeLessThanOrEqual(1_000);
    expect(await locks.extend({ key, token: "owner" }, 60_000)).toBe(true);
    expect(await t.redis.pttl(key)).toBeGreaterThan(50_000);
  });

  it("releases only for the token that holds it", async () => {
    const key = t.key("lock", "release");
    await locks.tryAcquire(key, 10_000, "owner");
    expect(await locks.release({ key, token: "intruder" })).toBe(false);
    expect(await t.redis.get(key)).toBe("owner");
    expect(await locks.tryAcquire(key, 10_000, "intruder")).toBeNull();
    expect(await locks.release({ key, token: "owner" })).toBe(true);
    expect(await locks.tryAcquire(key, 10_000, "intruder")).toEqual({ key, token: "intruder" });
  });

  it("a lock not obtained within the wait is an error, and the work never runs unlocked", async () => {
    const key = t.key("lock", "busy");
    await locks.tryAcquire(key, 10_000, "holder");
    let ran = false;
    const attempt = locks.withLock(
      key,
      1_000,
      async () => {
        ran = true;
      },
      { waitMs: 150 },
    );
    await expect(attempt).rejects.toBeInstanceOf(LockBusyError);
    expect(ran).toBe(false);
    expect(await t.redis.get(key)).toBe("holder");
  });

  it("a bounded wait gets the lock once the holder's TTL lapses", async () => {
    const key = t.key("lock", "lapse");
    await locks.tryAcquire(key, 150, "gone");
    const held = await locks.acquire(key, 1_000, { waitMs: 2_000, token: "next" });
    expect(held.token).toBe("next");
    expect(await t.redis.get(key)).toBe("next");
  });

  it("the budget store's exclusive section fails rather than running without its lock", async () => {
    const budgets = new RateBudgetStore(t.redis, t.key);
    await t.redis.set(t.key("lock", "budget:mode:ws"), "someone-else", "PX", 10_000);
    let ran = false;
    await expect(
      budgets.exclusively("mode:ws", async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(LockBusyError);
    expect(ran).toBe(false);
  });
});
