import { Redis, type RedisOptions } from "ioredis";

/**
 * Separate connections, as BullMQ's production guide asks: commands for state (fail fast when Redis is down,
 * so the platform redelivers instead of the event waiting in memory), the worker's blocking connection (must
 * retry forever), and a subscriber for stop requests.
 */
export interface RedisConnections {
  readonly commands: Redis;
  readonly worker: Redis;
  readonly subscriber: Redis;
  close(): Promise<void>;
}

export async function openRedisConnections(url: string, opts: { worker: boolean }): Promise<RedisConnections> {
  const base: RedisOptions = { lazyConnect: true, connectTimeout: 5_000 };
  const commands = new Redis(url, { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 2 });
  const worker = new Redis(url, { ...base, maxRetriesPerRequest: null });
  const subscriber = new Redis(url, { ...base, maxRetriesPerRequest: null });
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
