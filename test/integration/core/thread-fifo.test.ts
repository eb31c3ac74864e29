import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConversationLock } from "../../../src/state/conversation-lock.js";
import { ThreadFifo } from "../../../src/state/thread-fifo.js";
import { type TestRedis, testRedis } from "../../support/redis.js";

describe("ThreadFifo and ConversationLock (real Redis)", () => {
  let t: TestRedis;
  beforeEach(async () => {
    t = await testRedis();
  });
  afterEach(() => t.cleanup());

  it("keeps arrival order, ignores a second push of the same job, and hands the head on", async () => {
    const fifo = new ThreadFifo(t.redis, t.key, 60_000);
    expect(await fifo.push("k", "a")).toBe(0);
    expect(await fifo.push("k", "b")).toBe(1);
    expect(await fifo.push("k", "a")).toBe(0);
    expect(await fifo.push("k", "c")).toBe(2);
    expect(await fifo.head("k")).toBe("a");
    expect(await fifo.remove("k", "a")).toBe("b");
    expect(await fifo.position("k", "c")).toBe(1);
    expect(await fifo.remove("k", "b")).toBe("c");
    expect(await fifo.remove("k", "c")).toBeNull();
    expect(await t.redis.pttl(t.key("fifo", "other"))).toBe(-2);
  });

  it("gives every queue key a TTL", async () => {
    const fifo = new ThreadFifo(t.redis, t.key, 60_000);
    await fifo.push("k", "a");
    const ttl = await t.redis.pttl(t.key("fifo", "k"));
    expect(ttl).toBeGreaterThan(50_000);
  });

  it("lets only the token owner extend or release the lock", async () => {
    const lock = new ConversationLock(t.redis, t.key);
    expect(await lock.acquire("k", "owner", 10_000)).toBe(true);
    expect(await lock.acquire("k", "intruder", 10_000)).toBe(false);
    expect(await lock.extend("k", "intruder", 10_000)).toBe(false);
    await lock.release("k", "intruder");
    expect(await lock.remainingMs("k")).toBeGreaterThan(0);
    expect(await lock.extend("k", "owner", 20_000)).toBe(true);
    await lock.release("k", "owner");
    expect(await lock.acquire("k", "intruder", 10_000)).toBe(true);
  });
});
