import { Redis } from "ioredis";

/** Integration tests need the real Redis: fail loudly when it is not there, never skip. */
export default async function setup(): Promise<void> {
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 3000 });
  try {
    await redis.connect();
    const pong = await redis.ping();
    if (pong !== "PONG") throw new Error(`unexpected PING answer ${pong}`);
  } catch (err) {
    throw new Error(`Integration tests need Redis at ${url} (start one with: redis-server --save "" --appendonly no). ${String(err)}`);
  } finally {
    redis.disconnect();
  }
}
