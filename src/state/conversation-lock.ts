import type { Redis } from "ioredis";
import type { RedisKeyBuilder } from "./redis-keys.js";
import { RedisLock } from "./redis-lock.js";

/**
 * Token-owned per-thread lock: belt and braces next to the FIFO, for the one case the FIFO cannot see, a job
 * recovered from a worker that is stalled but still alive. Release and extend only act for the owner.
 */
export class ConversationLock {
  private readonly locks: RedisLock;

  constructor(
    redis: Redis,
    private readonly key: RedisKeyBuilder,
  ) {
    this.locks = new RedisLock(redis);
  }

  async acquire(conversationKey: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.locks.tryAcquire(this.key("lock", conversationKey), ttlMs, token)) !== null;
  }

  async extend(conversationKey: string, token: string, ttlMs: number): Promise<boolean> {
    return this.locks.extend({ key: this.key("lock", conversationKey), token }, ttlMs);
  }

  async release(conversationKey: string, token: string): Promise<void> {
    await this.locks.release({ key: this.key("lock", conversationKey), token });
  }

  /** Milliseconds until a lock held by someone else expires (0 when free). */
  async remainingMs(conversationKey: string): Promise<number> {
    return this.locks.remainingMs(this.key("lock", conversationKey));
  }
}
