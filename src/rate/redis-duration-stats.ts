import type { Redis } from "ioredis";
import type { Logger } from "../contracts/logger.js";
import type { RedisKeyBuilder } from "../state/redis-keys.js";
import type { DurationStats } from "./duration-stats.js";

const EWMA_LUA = `
local v = tonumber(redis.call('GET', KEYS[1]) or ARGV[2])
v = v * (1 - tonumber(ARGV[3])) + tonumber(ARGV[1]) * tonumber(ARGV[3])
redis.call('SET', KEYS[1], tostring(v), 'PX', ARGV[4])
return tostring(v)
`;

/** Learned values are forgotten after a month without answers. */
const STATS_TTL_MS = 30 * 24 * 3_600_000;
const REFRESH_MS = 30_000;

/**
 * The typical answer duration shared by every worker and kept across restarts, so pacing is right from the
 * first answer after a deploy and the same in every process. Reads are served from a local copy refreshed in
 * the background; updates are one atomic EWMA step in Redis.
 */
export class RedisDurationStats implements DurationStats {
  private local: number;
  private refreshedAt = 0;

  constructor(
    private readonly redis: Redis,
    private readonly key: RedisKeyBuilder,
    private readonly logger: Logger,
    private readonly initialMs = 8_000,
    private readonly weight = 0.2,
  ) {
    this.local = initialMs;
  }

  /** Reads what earlier processes learned, so the first answer after a start is paced like the rest. */
  async load(): Promise<void> {
    try {
      const v = await this.redis.get(this.key("stats", "answer-duration"));
      if (v !== null && Number.isFinite(Number(v))) this.local = Number(v);
      this.refreshedAt = Date.now();
    } catch (err) {
      this.logger.warn({ err }, "could not read answer-duration stats; pacing starts from the default");
    }
  }

  expectedMs(): number {
    if (Date.now() - this.refreshedAt > REFRESH_MS) {
      this.refreshedAt = Date.now();
      void this.redis.get(this.key("stats", "answer-duration")).then(
        (v) => {
          if (v !== null && Number.isFinite(Number(v))) this.local = Number(v);
        },
        (err: unknown) => this.logger.debug({ err }, "could not read answer-duration stats"),
      );
    }
    return this.local;
  }

  observe(durationMs: number): void {
    if (!(durationMs > 0) || !Number.isFinite(durationMs)) return;
    this.local = this.local * (1 - this.weight) + durationMs * this.weight;
    void this.redis
      .eval(EWMA_LUA, 1, this.key("stats", "answer-duration"), String(durationMs), String(this.initialMs), String(this.weight), String(STATS_TTL_MS))
      .then(
        (v) => {
          this.local = Number(v);
          this.refreshedAt = Date.now();
        },
        (err: unknown) => this.logger.debug({ err }, "could not record answer-duration stats"),
      );
  }
}
