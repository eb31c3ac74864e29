import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { Bridge } from "../../src/app/create-bridge.js";
import { type CoreConfig, parseCoreConfig } from "../../src/config/config.js";
import type { ChatPlatform } from "../../src/contracts/chat-platform.js";
import type { RedisInstallationVault } from "../../src/installations/redis-installation-vault.js";
import { BridgeMetrics } from "../../src/observability/metrics.js";
import type { RedisKeyBuilder } from "../../src/state/redis-keys.js";
import { FakeDifyServer, type FakeDifyStartOptions } from "../fakes/dify/index.js";
import { FakePlatform, type FakePlatformOptions } from "../fakes/fake-platform.js";
import { captureLogger, type LogEntry } from "./capture-logger.js";
import { deleteByPrefix, openRedis, REDIS_URL, redisKeys } from "./redis.js";

export interface BridgeHarness {
  readonly dify: FakeDifyServer;
  /** The in-memory platform (unused when real adapters were passed in `platforms`). */
  readonly platform: FakePlatform;
  readonly bridge: Bridge;
  readonly redis: Redis;
  readonly prefix: string;
  /** The bridge's key builder for this harness' prefix (hash-tagged on a Cluster). */
  readonly key: RedisKeyBuilder;
  readonly logs: LogEntry[];
  close(): Promise<void>;
}

/**
 * A whole bridge in this process: the real core (BullMQ, Redis, Dify client), the fake Dify server and an
 * in-memory platform. Each harness has its own Redis prefix and queue, so tests never see each other.
 */
export interface BridgeHarnessOptions {
  readonly platform?: FakePlatformOptions;
  /** Real adapters (or anything implementing the port) instead of the in-memory platform. */
  readonly platforms?: readonly ChatPlatform[];
  readonly dify?: FakeDifyStartOptions;
  /** Settings as environment variables (DIFY_* and REDIS_* are filled in). */
  readonly env?: Record<string, string>;
  readonly config?: Partial<CoreConfig>;
  /** Use this Dify fake (not closed by the harness). */
  readonly difyServer?: FakeDifyServer;
  /** Serve /healthz, /readyz, /metrics and platform routes on an ephemeral port. @defaultValue false */
  readonly http?: boolean;
  /** The installation vault the adapters were built with (Slack OAuth). */
  readonly installations?: RedisInstallationVault;
}

export async function startBridge(opts: BridgeHarnessOptions = {}): Promise<BridgeHarness> {
  const dify = opts.difyServer ?? (await FakeDifyServer.start(opts.dify));
  const platform = new FakePlatform(opts.platform);
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const env = {
    DIFY_API_URL: dify.baseUrl,
    DIFY_API_KEY: dify.apiKey,
    REDIS_URL,
    PORT: "0",
    USER_RATE_LIMIT: "off",
    SHUTDOWN_GRACE_MS: "2000",
    ...opts.env,
  };
  const parsed = parseCoreConfig(env);
  if (!parsed.ok) throw new Error(parsed.issues.join("\n"));
  const logs: LogEntry[] = [];
  const bridge = new Bridge({
    config: { ...parsed.value, ...opts.config },
    platforms: opts.platforms ?? [platform],
    logger: captureLogger(logs),
    redisPrefix: prefix,
    queueName: "replies",
    metrics: new BridgeMetrics({ defaultMetrics: false }),
    http: opts.http ?? false,
    env,
    ...(opts.installations ? { installations: opts.installations } : {}),
  });
  await bridge.start();
  const redis = openRedis();
  return {
    dify,
    platform,
    bridge,
    redis,
    prefix,
    key: redisKeys(prefix),
    logs,
    async close() {
      await bridge.shutdown();
      if (!opts.difyServer) await dify.close();
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

/** Polls until `check` returns a truthy value (or throws the last assertion error after `timeoutMs`). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
      lastError = new Error("condition not met");
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw lastError;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
