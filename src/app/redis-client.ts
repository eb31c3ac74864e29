import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import type { RedisTarget } from "../config/redis-url.js";

/** What one connection is for; each use wants different retry behaviour (see `openRedisConnections`). */
export interface RedisClientOptions {
  /** Commands wait in memory while disconnected (true) or fail at once (false). */
  readonly enableOfflineQueue: boolean;
  /** null: retry a command across reconnections forever (BullMQ's blocking connections need it). */
  readonly maxRetriesPerRequest: number | null;
  readonly connectTimeout: number;
  readonly lazyConnect?: boolean;
}

/**
 * One ioredis client for any REDIS_URL form. A Cluster is typed as `Redis`: both are ioredis `Commander`s with
 * the same command methods, `multi`, `eval` and `defineCommand` (Cluster routes each by its keys' slot), and
 * BullMQ accepts either. The bridge's stores only issue commands, so they take one type for all three forms.
 */
export function createRedisClient(target: RedisTarget, o: RedisClientOptions): Redis {
  const common = { connectTimeout: o.connectTimeout, lazyConnect: o.lazyConnect ?? true } satisfies RedisOptions;
  if (target.kind === "standalone") {
    return new Redis(target.url, { ...common, enableOfflineQueue: o.enableOfflineQueue, maxRetriesPerRequest: o.maxRetriesPerRequest });
  }
  const auth = { ...(target.username !== undefined && { username: target.username }), ...(target.password !== undefined && { password: target.password }) };
  if (target.kind === "sentinel") {
    return new Redis({
      ...common,
      ...auth,
      enableOfflineQueue: o.enableOfflineQueue,
      maxRetriesPerRequest: o.maxRetriesPerRequest,
      sentinels: target.sentinels.map((n) => ({ host: n.host, port: n.port })),
      name: target.name,
      db: target.db,
      role: "master",
      ...(target.sentinelUsername !== undefined && { sentinelUsername: target.sentinelUsername }),
      ...(target.sentinelPassword !== undefined && { sentinelPassword: target.sentinelPassword }),
      ...(target.tls && { tls: {}, enableTLSForSentinelMode: true }),
      // Sentinel tells subscribers at once when it switches the primary (+switch-master); without it a client
      // only notices when its connection to the old primary breaks.
      failoverDetector: true,
      // A demoted primary answers writes with READONLY until Sentinel closes our connection: reconnect (to the
      // primary Sentinel names now) and resend the command rather than fail it.
      reconnectOnError: (err) => (err.message.startsWith("READONLY") ? 2 : false),
    });
  }
  const cluster: ClusterOptions = {
    lazyConnect: common.lazyConnect,
    enableOfflineQueue: o.enableOfflineQueue,
    redisOptions: {
      ...auth,
      connectTimeout: o.connectTimeout,
      maxRetriesPerRequest: o.maxRetriesPerRequest,
      ...(target.tls && { tls: {} }),
    },
  };
  return new Cluster(
    target.nodes.map((n) => ({ host: n.host, port: n.port })),
    cluster,
  ) as unknown as Redis;
}

/** Whether keys must carry hash tags so that multi-key scripts and transactions stay in one slot. */
export function needsHashTags(target: RedisTarget): boolean {
  return target.kind === "cluster";
}
