import type { Redis } from "ioredis";
import type { ThreadLog, ThreadLogEntry } from "../contracts/thread-log.js";
import type { RedisKeyBuilder } from "./redis-keys.js";

/** Enough for a thread's context (the core reads at most 30 messages), small enough to keep for every thread. */
const MAX_PER_THREAD = 60;

/**
 * `ThreadLog` in one Redis hash per thread (entry id → JSON). Past MAX_PER_THREAD the oldest entries go; the
 * whole thread expires `ttlMs` after its last new message. Writes are independent commands, not a transaction:
 * a lost entry only means one more platform read later.
 */
export class RedisThreadLog implements ThreadLog {
  constructor(
    private readonly redis: Redis,
    private readonly key: RedisKeyBuilder,
    private readonly ttlMs: number,
  ) {}

  async record(threadKey: string, entry: ThreadLogEntry): Promise<void> {
    const k = this.key("threadlog", threadKey);
    const [, , [, size]] = ((await this.redis.multi().hset(k, entry.id, JSON.stringify(entry)).pexpire(k, this.ttlMs).hlen(k).exec()) ?? [
      [],
      [],
      [null, 0],
    ]) as [unknown, unknown, [unknown, number]];
    if (size <= MAX_PER_THREAD) return;
    const entries = await this.read(threadKey);
    const drop = entries.slice(0, entries.length - MAX_PER_THREAD).map((e) => e.id);
    if (drop.length > 0) await this.redis.hdel(k, ...drop);
  }

  async remove(threadKey: string, id: string): Promise<void> {
    await this.redis.hdel(this.key("threadlog", threadKey), id);
  }

  async read(threadKey: string): Promise<ThreadLogEntry[]> {
    const all = await this.redis.hvals(this.key("threadlog", threadKey));
    return all.map((v) => JSON.parse(v) as ThreadLogEntry).sort((a, b) => a.order - b.order);
  }
}
