import { Bridge } from "./app/create-bridge.js";
import { createPlatforms, enabledPlatforms, secretValues } from "./app/platform-config.js";
import { PLATFORM_MODULES } from "./app/platform-modules.js";
import { CORE_SECRET_ENV_VARS, ConfigError, collectConfig, parseCoreConfig } from "./config/config.js";
import { loadEnvironment } from "./config/environment.js";
import type { ParseResult } from "./contracts/config-schema.js";
import { RedisInstallationVault } from "./installations/redis-installation-vault.js";
import { createLogger } from "./logging/logger.js";
import { readRoutesFile } from "./routing/routes-file.js";
import type { RoutesSpec } from "./routing/routes-schema.js";

/**
 * Entry point: configuration → logger → platforms → bridge → signals. Which adapters exist is
 * src/app/platform-modules.ts's business; this file names none of them.
 */

const env = loadEnvironment();

function loadConfig() {
  try {
    // The routes file is checked with the environment, so one start lists every problem of both.
    const routesFile = env.ROUTES_FILE?.trim();
    const routes: ParseResult<RoutesSpec | undefined> = routesFile ? readRoutesFile(routesFile, env) : { ok: true, value: undefined };
    const [core, platforms, spec] = collectConfig(parseCoreConfig(env), enabledPlatforms(env, PLATFORM_MODULES), routes);
    return { core, platforms, appKeys: spec?.apps.map((a) => a.apiKey) ?? [] };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw err;
  }
}

const { core, platforms: enabled, appKeys } = loadConfig();
const logger = createLogger({
  level: core.log.level,
  pretty: core.log.pretty,
  // Every configured secret is scrubbed, the routes file's app keys too, and any Dify key in the environment: a
  // reload may start using one the file did not name at start.
  secrets: [
    ...secretValues(env, CORE_SECRET_ENV_VARS, PLATFORM_MODULES),
    ...appKeys,
    ...Object.values(env).filter((v): v is string => typeof v === "string" && /^app-\S{8,}$/.test(v)),
  ],
});

const installations = new RedisInstallationVault();
const bridge = new Bridge({ config: core, platforms: createPlatforms(enabled, { logger, installations }), logger, installations, env });

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
// SIGHUP re-reads the routes file (it is also watched); without one it is ignored rather than ending the process.
process.on("SIGHUP", () => void bridge.reloadRoutes("SIGHUP"));
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
