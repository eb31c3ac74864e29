import { existsSync } from "node:fs";
import { parseDiscordConfig } from "../adapters/discord/config.js";
import { createDiscordPlatform } from "../adapters/discord/index.js";
import { parseSlackConfig } from "../adapters/slack/config.js";
import { createSlackPlatform } from "../adapters/slack/index.js";
import { Bridge } from "./app/create-bridge.js";
import { ConfigError, collectConfig, parseCoreConfig } from "./config/config.js";
import type { ChatPlatform } from "./contracts/chat-platform.js";
import { createLogger } from "./logging/logger.js";

/**
 * Composition root: configuration → logger → platforms → bridge → signals. The only module that reads the
 * environment through the config parsers and the only one that knows every adapter.
 */

// A .env file next to the service is read when present; real environment variables win over it.
if (existsSync(".env")) process.loadEnvFile(".env");

function loadConfig() {
  try {
    const env = process.env;
    const [core, slack, discord] = collectConfig(parseCoreConfig(env), parseSlackConfig(env), parseDiscordConfig(env));
    if (!slack && !discord) throw new ConfigError(["SLACK_BOT_TOKEN / DISCORD_BOT_TOKEN: set at least one, to enable Slack and/or Discord"]);
    return { core, slack, discord };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw err;
  }
}

const SECRET_VARIABLES = ["DIFY_API_KEY", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DISCORD_BOT_TOKEN"] as const;

const { core, slack, discord } = loadConfig();
const logger = createLogger({
  level: core.log.level,
  pretty: core.log.pretty,
  // Every configured secret is scrubbed from log output wherever it appears.
  secrets: SECRET_VARIABLES.map((name) => process.env[name]).filter((s): s is string => typeof s === "string" && s !== ""),
});

const platforms: ChatPlatform[] = [];
if (slack) platforms.push(createSlackPlatform(slack, { logger: logger.child({ platform: "slack" }) }));
if (discord) platforms.push(createDiscordPlatform(discord, { logger: logger.child({ platform: "discord" }) }));

const bridge = new Bridge({ config: core, platforms, logger });

let exiting = false;
async function stop(code: number, reason: string): Promise<void> {
  if (exiting) return;
  exiting = true;
  logger.info({ reason }, "shutting down");
  // Past the grace period plus time to mark interrupted answers, leave regardless.
  setTimeout(() => process.exit(code || 1), core.shutdownGraceMs + 15_000).unref();
  await bridge.shutdown();
  process.exit(code);
}

process.on("SIGTERM", () => void stop(0, "SIGTERM"));
process.on("SIGINT", () => void stop(0, "SIGINT"));
process.on("unhandledRejection", (err) => {
  logger.fatal({ err }, "unhandled promise rejection");
  void stop(1, "unhandledRejection");
});

try {
  await bridge.start();
} catch (err) {
  logger.fatal({ err }, "dify-bridge could not start");
  await stop(1, "start failed");
}
