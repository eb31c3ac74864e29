import { Bridge } from "./app/create-bridge.js";
import { createPlatforms, secretValues } from "./app/platform-config.js";
import { PLATFORM_MODULES, PLAYGROUND_MODULE } from "./app/platform-modules.js";
import { planSurfaces } from "./app/surfaces.js";
import { runDoctorChecks } from "./cli/doctor-checks.js";
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
    const [parsed, spec] = collectConfig(parseCoreConfig(env), routes);
    const [surfaces] = collectConfig(planSurfaces(env, parsed, PLATFORM_MODULES, PLAYGROUND_MODULE));
    const core = { ...parsed, console: { ...parsed.console, token: surfaces.console?.token } };
    return { core, surfaces, appKeys: spec?.apps.map((a) => a.apiKey) ?? [] };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw err;
  }
}

const { core, surfaces, appKeys } = loadConfig();
const logger = createLogger({
  level: core.log.level,
  pretty: core.log.pretty,
  // Every configured secret is scrubbed, the routes file's app keys too, and any Dify key in the environment: a
  // reload may start using one the file did not name at start.
  secrets: [
    ...secretValues(env, CORE_SECRET_ENV_VARS, PLATFORM_MODULES),
    ...appKeys,
    ...(surfaces.console ? [surfaces.console.token] : []),
    ...Object.values(env).filter((v): v is string => typeof v === "string" && /^app-\S{8,}$/.test(v)),
  ],
});

const installations = new RedisInstallationVault();
const bridge = new Bridge({
  config: core,
  platforms: createPlatforms(surfaces.platforms, { logger, installations }),
  logger,
  installations,
  env,
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
// SIGHUP re-reads the routes file (it is also watched); without one it is ignored rather than ending the process.
process.on("SIGHUP", () => void bridge.reloadRoutes("SIGHUP"));
process.on("unhandledRejection", (err) => {
  logger.fatal({ err }, "unhandled promise rejection");
  void stop(1, "unhandledRejection");
});

try {
  await bridge.start();
  printConsoleAddress();
} catch (err) {
  logger.fatal({ err }, "dify-bridge could not start");
  await stop(1, "start failed");
}

/**
 * Where to open the console, on the terminal that started the bridge (not in the logs). A token generated for
 * this run is part of the address, since nobody else knows it; a configured CONSOLE_TOKEN never is.
 */
function printConsoleAddress(): void {
  const access = surfaces.console;
  if (!access) return;
  const origin = `http://localhost:${bridge.httpPort ?? core.port}`;
  const page = surfaces.playground ? "/console/playground" : "/console";
  const lines = access.generated
    ? [
        "No Slack or Discord settings: serving the web playground only.",
        `Open ${origin}${page}?token=${access.token}`,
        "(a token made for this run; set CONSOLE_TOKEN to choose your own)",
      ]
    : [`Operator console: ${origin}/console${surfaces.playground ? `, playground: ${origin}${page}` : ""} (open once with ?token=<CONSOLE_TOKEN>)`];
  process.stdout.write(`\n${lines.join("\n")}\n\n`);
}
