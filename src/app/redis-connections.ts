import type { Redis } from "ioredis";
import type { RedisTarget } from "../config/redis-url.js";
import { createRedisClient } from "./redis-client.js";

/**
 * Separate connections, as BullMQ's production guide asks: commands for state (fail fast when Redis is down,
 * so the platform redelivers instead of the event waiting in memory), the worker's blocking connection (must
 * retry forever), and a subscriber for stop requests. Each is a plain Redis, a Sentinel-managed primary or a
 * Cluster client, as REDIS_URL says (`createRedisClient`).
 */
export interface RedisConnections {
  readonly commands: Redis;
  readonly worker: Redis;
  readonly subscriber: Redis;
  close(): Promise<void>;
}

export async function openRedisConnections(target: RedisTarget, opts: { worker: boolean }): Promise<RedisConnections> {
  const connectTimeout = 5_000;
  const commands = createRedisClient(target, { connectTimeout, enableOfflineQueue: false, maxRetriesPerRequest: 2 });
  const worker = createRedisClient(target, { connectTimeout, enableOfflineQueue: true, maxRetriesPerRequest: null });
  const subscriber = createRedisClient(target, { connectTimeout, enableOfflineQueue: true, maxRetriesPerRequest: null });
  const all = opts.worker ? [commands, worker, subscriber] : [commands];
  for (const c of [commands, worker, subscriber]) c.on("error", () => undefined); // reported through readiness and job errors
  await Promise.all(all.map((c) => c.connect()));
  return {
    commands,
    worker,
    subscriber,
    async close() {
      await Promise.allSettled(
        [commands, worker, subscriber].map(async (c) => {
          if (c.status === "ready" || c.status === "connect") await c.quit();
          else c.disconnect();
        }),
      );
    },
  };
}
