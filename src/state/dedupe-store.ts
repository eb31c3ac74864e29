import type { Redis } from "ioredis";
import type { RedisKeyBuilder } from "./redis-keys.js";

/**
 * Slack retries an event for up to ~5 minutes (3 retries), Slack delivers a channel mention twice (app_mention
 * and message), and a Discord gateway resume can replay dispatches. A day is far longer than any of these
 * windows and costs one small key per message.
 * @internal Exported for the test that checks the marker outlives every redelivery window.
 */
export const DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;

export class DedupeStore {
  constructor(
    private readonly redis: Redis,
    private readonly key: RedisKeyBuilder,
    private readonly ttlMs = DEDUPE_TTL_MS,
  ) {}

  /**
   * True the first time `id` is seen (SET NX PX), false for every later delivery. `group` (the thread) keeps the
   * marker in the thread's Redis Cluster slot (see RedisKeyBuilder).
   */
  async markSeen(id: string, group?: string): Promise<boolean> {
    return (await this.redis.set(this.key("seen", id, group), "1", "PX", this.ttlMs, "NX")) === "OK";
  }

  /** Undo `markSeen` when the event could not be accepted, so the platform's redelivery is processed. */
  async forget(id: string, group?: string): Promise<void> {
    await this.redis.del(this.key("seen", id, group));
  }
}
