import { parsePlatformConfigs } from "../app/platform-config.js";
import { PLATFORM_MODULES } from "../app/platform-modules.js";
import { createRedisClient, needsHashTags } from "../app/redis-client.js";
import { parseCoreConfig } from "../config/config.js";
import type { Environment } from "../config/environment.js";
import type { DoctorCheck } from "../contracts/doctor.js";
import { RedisInstallationVault } from "../installations/redis-installation-vault.js";
import { createLogger } from "../logging/logger.js";
import { readRoutesFile } from "../routing/routes-file.js";
import { createRedisKeys } from "../state/redis-keys.js";
import { checkDify, checkRoutedApps } from "./dify-checks.js";
import { checkRedis } from "./redis-checks.js";

/**
 * Every check of `npm run doctor`, in the order it prints them: the configuration first (at once), then Redis,
 * Dify and each enabled platform (as they answer). `onCheck` sees each as soon as it is known. The operator
 * console runs the same function, so its page says what the command would.
 */
export async function runDoctorChecks(env: Environment, onCheck: (check: DoctorCheck) => void = () => undefined): Promise<DoctorCheck[]> {
  const core = parseCoreConfig(env);
  const platforms = parsePlatformConfigs(env, PLATFORM_MODULES);
  const checks: DoctorCheck[] = [];
  const routesFile = core.ok ? core.value.routesFile : undefined;
  const routes = routesFile ? readRoutesFile(routesFile, env) : undefined;
  const issues = [...(core.ok ? [] : core.issues), ...platforms.issues, ...(routes && !routes.ok ? routes.issues : [])];
  for (const issue of issues)
    checks.push({
      area: "Configuration",
      name: issue.startsWith("ROUTES_FILE") ? "ROUTES_FILE" : (issue.split(":")[0] ?? "setting"),
      status: "fail",
      detail: issue,
      fix: "See .env.example for what each setting takes.",
    });
  if (platforms.issues.length === 0 && platforms.enabled.length === 0) {
    const playgroundOnly = core.ok && core.value.role === "all" && env.WEB_PLAYGROUND?.trim().toLowerCase() !== "off";
    checks.push(
      playgroundOnly
        ? {
            area: "Configuration",
            name: "platforms",
            status: "warn",
            detail: "no Slack or Discord settings: npm start serves only the web playground (/console/playground)",
            fix: `Set ${PLATFORM_MODULES.map((m) => m.enabledBy).join(" and/or ")} to answer in a chat platform.`,
          }
        : {
            area: "Configuration",
            name: "platforms",
            status: "fail",
            detail: `no platform is enabled (${PLATFORM_MODULES.map((m) => m.displayName).join(", ")})`,
            fix: `Set ${PLATFORM_MODULES.map((m) => m.enabledBy).join(" and/or ")}.`,
          },
    );
  }
  if (issues.length === 0 && platforms.enabled.length > 0)
    checks.push({ area: "Configuration", name: "settings", status: "pass", detail: platforms.enabled.map((p) => p.module.displayName).join(" + ") });
  for (const c of checks) onCheck(c);

  const logger = createLogger({ level: "silent", pretty: false, secrets: [] });
  const later: Array<Promise<DoctorCheck[]>> = [];
  if (core.ok) {
    later.push(checkRedis(core.value.redis));
    later.push(
      checkDify(
        { apiUrl: core.value.dify.apiUrl, apiKey: core.value.dify.apiKey, inputs: core.value.dify.inputs, queryInput: core.value.dify.queryInput },
        logger,
      ),
    );
    if (routes?.ok) later.push(...checkRoutedApps(routes.value, core.value.dify.apiUrl, logger));
  }
  // The installations (Slack OAuth) live in Redis: the adapters get the vault to check each one.
  const redis = core.ok ? createRedisClient(core.value.redis, { connectTimeout: 3_000, maxRetriesPerRequest: 1, enableOfflineQueue: true }) : undefined;
  redis?.on("error", () => undefined);
  const installations = new RedisInstallationVault();
  if (redis && core.ok) installations.bind(redis, createRedisKeys(core.value.redisPrefix, { hashTags: needsHashTags(core.value.redis) }));
  for (const { module, config } of platforms.enabled) later.push(module.checkSetup(config, redis ? { installations } : {}));
  for (const group of await Promise.all(later)) {
    for (const c of group) onCheck(c);
    checks.push(...group);
  }
  redis?.disconnect();
  return checks;
}
