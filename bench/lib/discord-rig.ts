import { randomUUID } from "node:crypto";
import { parseDiscordConfig } from "../../adapters/discord/config.js";
import { createDiscordPlatform } from "../../adapters/discord/index.js";
import { Bridge } from "../../src/app/create-bridge.js";
import { parseCoreConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logging/logger.js";
import { BridgeMetrics } from "../../src/observability/metrics.js";
import { FakeDifyServer } from "../../test/fakes/dify/index.js";
import { FakeDiscord } from "../../test/fakes/discord/index.js";
import { dropPrefix, REDIS_URL } from "./slack-rig.js";

/** The real bridge (core + Discord adapter on the gateway) in this process, against a fresh fake Discord and Dify. */
export interface DiscordRig {
  readonly discord: FakeDiscord;
  readonly dify: FakeDifyServer;
  readonly bridge: Bridge;
  close(): Promise<void>;
}

export async function startDiscordRig(opts: { env?: Record<string, string> } = {}): Promise<DiscordRig> {
  const discord = await FakeDiscord.start({ heartbeatIntervalMs: 1_000 });
  const dify = await FakeDifyServer.start({ pingIntervalMs: 0 });
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const core = parseCoreConfig({
    DIFY_API_URL: dify.baseUrl,
    DIFY_API_KEY: dify.apiKey,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    PORT: "0",
    USER_RATE_LIMIT: "off",
    ...opts.env,
  });
  const config = parseDiscordConfig({ DISCORD_BOT_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl });
  if (!core.ok || !config.ok || !config.value) throw new Error("bench configuration is invalid");
  const logger = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? "error", pretty: false, secrets: [] });
  const bridge = new Bridge({
    config: core.value,
    platforms: [createDiscordPlatform(config.value, { logger })],
    logger,
    metrics: new BridgeMetrics({ defaultMetrics: false }),
    http: false,
  });
  await bridge.start();
  return {
    discord,
    dify,
    bridge,
    async close() {
      await bridge.shutdown();
      await dify.close();
      await discord.close();
      await dropPrefix(prefix);
    },
  };
}
