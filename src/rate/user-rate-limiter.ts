import type { Redis } from "ioredis";
import type { RedisKeyBuilder } from "../state/redis-keys.js";

export type RateVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryInMs: number; readonly notify: boolean };

/** Fixed-window per-user limit. `notify` is true once per window, so a flooding user gets one notice, not many. */
export class UserRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly key: RedisKeyBuilder,
    private readonly limit: { readonly count: number; readonly windowMs: number } | null,
  ) {}

  async check(userKey: string): Promise<RateVerdict> {
    if (!this.limit) return { allowed: true };
    const { count, windowMs } = this.limit;
    const window = Math.floor(Date.now() / windowMs);
    const k = this.key("rl", `${userKey}:${window}`);
    const [[, used]] = ((await this.redis.multi().incr(k).pexpire(k, windowMs).exec()) ?? [[null, 0]]) as [[unknown, number]];
    if (used <= count) return { allowed: true };
    const retryInMs = (window + 1) * windowMs - Date.now();
    const notify = (await this.redis.set(this.key("rlnote", `${userKey}:${window}`), "1", "PX", windowMs, "NX")) === "OK";
    return { allowed: false, retryInMs, notify };
  }
}

/** The one notice a person over their limit gets (once per window), for a message or a click alike. */
export function slowDownText(retryInMs: number): string {
  return `You're sending messages faster than I can answer. Please try again in ${Math.max(1, Math.ceil(retryInMs / 1000))} s.`;
}
