import { randomUUID } from "node:crypto";
import { Cluster, type Redis } from "ioredis";
import { createRedisClient } from "../../src/app/redis-client.js";
import { parseRedisUrl, type RedisTarget } from "../../src/config/redis-url.js";
import { createRedisKeys, type RedisKeyBuilder } from "../../src/state/redis-keys.js";

/**
 * The Redis every integration test uses. Any REDIS_URL form works (one server, Sentinel, Cluster): the Redis HA
 * tests point it at a Cluster they start and run the core scenarios again.
 */
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

function target(url: string): RedisTarget {
  const parsed = parseRedisUrl(url);
  if (!parsed.ok) throw new Error(`REDIS_URL: ${parsed.problems.join("; ")}`);
  return parsed.target;
}

/** Whether REDIS_URL names a Cluster, where the bridge's keys carry hash tags. */
export const REDIS_IS_CLUSTER = target(REDIS_URL).kind === "cluster";

/** A client for REDIS_URL (a Cluster client typed as Redis, as the bridge uses it); `blocking` for a BullMQ Worker. */
export function openRedis(url = REDIS_URL, opts: { blocking?: boolean } = {}): Redis {
  const maxRetriesPerRequest = opts.blocking ? null : 2;
  const client = createRedisClient(target(url), { connectTimeout: 3_000, enableOfflineQueue: true, maxRetriesPerRequest, lazyConnect: false });
  client.on("error", () => undefined);
  return client;
}

/** The key builder the bridge uses for `prefix` on REDIS_URL. */
export function redisKeys(prefix: string): RedisKeyBuilder {
  return createRedisKeys(prefix, { hashTags: REDIS_IS_CLUSTER });
}

/** A Redis connection and a key prefix of its own, so tests never see each other's keys. */
export interface TestRedis {
  readonly redis: Redis;
  readonly prefix: string;
  readonly key: RedisKeyBuilder;
  /** Deletes every key under the prefix and disconnects. */
  cleanup(): Promise<void>;
}

export async function testRedis(): Promise<TestRedis> {
  const redis = openRedis();
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  return {
    redis,
    prefix,
    key: redisKeys(prefix),
    async cleanup() {
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

/** Every key under `prefix`: the bridge's (`prefix:…`) and BullMQ's (`prefix:…`, or `{prefix}:…` on a Cluster). */
export async function keysByPrefix(redis: Redis, prefix: string): Promise<string[]> {
  const cluster = asCluster(redis);
  if (cluster && cluster.status !== "ready") await new Promise((resolve) => cluster.once("ready", resolve));
  const nodes = cluster ? cluster.nodes("master") : [redis];
  const keys: string[] = [];
  for (const node of nodes) {
    for (const pattern of [`${prefix}:*`, `{${prefix}}:*`]) {
      let cursor = "0";
      do {
        const [next, batch] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== "0");
    }
  }
  return keys;
}

export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysByPrefix(redis, prefix);
  // One DEL per key: on a Cluster, keys of several slots cannot go in one command.
  if (asCluster(redis)) await Promise.all(keys.map((k) => redis.del(k)));
  else if (keys.length) await redis.del(...keys);
}

/** The bridge types a Cluster client as Redis (src/app/redis-client.ts); this recovers it. */
function asCluster(redis: Redis): Cluster | null {
  const client: unknown = redis;
  return client instanceof Cluster ? client : null;
}
