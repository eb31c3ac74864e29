import type { Redis } from "ioredis";
import type { RedisKeyBuilder } from "./redis-keys.js";

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * Token-owned per-thread lock: belt and braces next to the FIFO, for the one case the FIFO cannot see, a job
 * recovered from a worker that is stalled but still alive. Release and extend only act for the owner.
 */
export class ConversationLock {
  constructor(
    private readonly redis: Redis,
    private readonly key: RedisKeyBuilder,
  ) {}

  async acquire(conversationKey: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.key("lock", conversationKey), token, "PX", ttlMs, "NX")) === "OK";
  }

  async extend(conversationKey: string, token: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.eval(EXTEND, 1, this.key("lock", conversationKey), token, String(ttlMs))) === 1;
  }

  async release(conversationKey: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key("lock", conversationKey), token);
  }

  /** Milliseconds until a lock held by someone else expires (0 when free). */
  async remainingMs(conversationKey: string): Promise<number> {
    return Math.max(0, await this.redis.pttl(this.key("lock", conversationKey)));
  }
}
