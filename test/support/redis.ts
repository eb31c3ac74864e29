import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { createRedisKeys, type RedisKeyBuilder } from "../../src/state/redis-keys.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A Redis connection and a key prefix of its own, so tests never see each other's keys. */
export interface TestRedis {
  readonly redis: Redis;
  readonly prefix: string;
  readonly key: RedisKeyBuilder;
  /** Deletes every key under the prefix and disconnects. */
  cleanup(): Promise<void>;
}

export async function testRedis(): Promise<TestRedis> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  return {
    redis,
    prefix,
    key: createRedisKeys(prefix),
    async cleanup() {
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
}
