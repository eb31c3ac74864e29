import { Bridge } from "./app/create-bridge.js";
import { createPlatforms, enabledPlatforms, secretValues } from "./app/platform-config.js";
import { PLATFORM_MODULES } from "./app/platform-modules.js";
import { runDoctorChecks } from "./cli/doctor-checks.js";
import { CORE_SECRET_ENV_VARS, ConfigError, collectConfig, parseCoreConfig } from "./config/config.js";
import { loadEnvironment } from "./config/environment.js";
import { RedisInstallationVault } from "./installations/redis-installation-vault.js";
import { createLogger } from "./logging/logger.js";

/**
 * Entry point: configuration → logger → platforms → bridge → signals. Which adapters exist is
 * src/app/platform-modules.ts's business; this file names none of them.
 */

const env = loadEnvironment();

function loadConfig() {
  try {
    const [core, platforms] = collectConfig(parseCoreConfig(env), enabledPlatforms(env, PLATFORM_MODULES));
    return { core, platforms };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw err;
  }
}

const { core, platforms: enabled } = loadConfig();
const logger = createLogger({
  level: core.log.level,
  pretty: core.log.pretty,
  // Every configured secret is scrubbed from log output wherever it appears.
  secrets: secretValues(env, CORE_SECRET_ENV_VARS, PLATFORM_MODULES),
});

const installations = new RedisInstallationVault();
const bridge = new Bridge({
  config: core,
  platforms: createPlatforms(enabled, { logger, installations }),
  logger,
  installations,
  // The console's status page shows what `npm run doctor` would say, checked by this process.
  doctor: () => runDoctorChecks(env),
});

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
