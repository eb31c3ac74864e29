import type { Redis } from "ioredis";
import type { RedisKeyBuilder } from "./redis-keys.js";

/**
 * Arrival order of the jobs of one thread. BullMQ has no per-group ordering in its open-source edition, and a
 * lock alone is not enough: delayed jobs racing for a freed lock can overtake each other. So only the job at
 * the head of this list may talk to Dify; when it is done it removes itself and promotes the next one.
 */
export class ThreadFifo {
  constructor(
    private readonly redis: Redis,
    private readonly key: RedisKeyBuilder,
    private readonly ttlMs: number,
  ) {}

  /** Appends `jobId` (once) and returns its 0-based position. */
  async push(conversationKey: string, jobId: string): Promise<number> {
    const k = this.key("fifo", conversationKey);
    const result = await this.redis.eval(
      `local pos = redis.call('LPOS', KEYS[1], ARGV[1])
       if not pos then redis.call('RPUSH', KEYS[1], ARGV[1]); pos = redis.call('LLEN', KEYS[1]) - 1 end
       redis.call('PEXPIRE', KEYS[1], ARGV[2])
       return pos`,
      1,
      k,
      jobId,
      String(this.ttlMs),
    );
    return Number(result);
  }

  async head(conversationKey: string): Promise<string | null> {
    return this.redis.lindex(this.key("fifo", conversationKey), 0);
  }

  /** Position of `jobId`, or null when it is not queued. */
  async position(conversationKey: string, jobId: string): Promise<number | null> {
    const pos = await this.redis.lpos(this.key("fifo", conversationKey), jobId);
    return pos === null ? null : Number(pos);
  }

  /** Removes `jobId` and returns the new head. */
  async remove(conversationKey: string, jobId: string): Promise<string | null> {
    const k = this.key("fifo", conversationKey);
    const [, head] = (await this.redis.multi().lrem(k, 0, jobId).lindex(k, 0).exec()) ?? [];
    return (head?.[1] as string | null) ?? null;
  }
}
