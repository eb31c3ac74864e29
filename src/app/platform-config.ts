import type { Environment } from "../config/environment.js";
import type { ChatPlatform } from "../contracts/chat-platform.js";
import type { ParseResult } from "../contracts/config-schema.js";
import type { PlatformDeps, PlatformModule } from "../contracts/platform-module.js";

/** An adapter that is switched on, with its parsed config. */
export interface EnabledPlatform {
  readonly module: PlatformModule;
  readonly config: unknown;
}

/** What the modules made of the environment: the adapters switched on, and every problem of every module. */
export interface PlatformConfigs {
  readonly enabled: readonly EnabledPlatform[];
  readonly issues: readonly string[];
}

export function parsePlatformConfigs(env: Environment, modules: readonly PlatformModule[]): PlatformConfigs {
  const results = modules.map((module) => ({ module, result: module.parseConfig(env) }));
  const enabled = results.flatMap(({ module, result }) => (result.ok && result.value !== null ? [{ module, config: result.value }] : []));
  const issues = results.flatMap(({ result }) => (result.ok ? [] : result.issues));
  return { enabled, issues };
}

/** The problem to report when every adapter parsed fine and none is on (and the playground cannot stand in). */
export function noPlatformIssue(modules: readonly PlatformModule[]): string {
  return `${modules.map((m) => m.enabledBy).join(" / ")}: set at least one, to enable ${modules.map((m) => m.displayName).join(" and/or ")}`;
}

/**
 * The enabled adapters' configs as one result, with "enable at least one" when none is on.
 * @internal Exported for the test of that rule; the start-up path goes through `planSurfaces`, which lets the playground stand in.
 */
export function enabledPlatforms(env: Environment, modules: readonly PlatformModule[]): ParseResult<readonly EnabledPlatform[]> {
  const { enabled, issues } = parsePlatformConfigs(env, modules);
  if (issues.length > 0) return { ok: false, issues: [...issues] };
  return enabled.length > 0 ? { ok: true, value: enabled } : { ok: false, issues: [noPlatformIssue(modules)] };
}

export function createPlatforms(enabled: readonly EnabledPlatform[], deps: PlatformDeps): ChatPlatform[] {
  return enabled.map(({ module, config }) => module.create(config, deps));
}

/** The values of every secret variable (the core's and each module's) that is set, for log scrubbing. */
export function secretValues(env: Environment, coreSecretVars: readonly string[], modules: readonly PlatformModule[]): string[] {
  const names = [...coreSecretVars, ...modules.flatMap((m) => m.secretEnvVars)];
  return names.map((name) => env[name]).filter((value): value is string => typeof value === "string" && value !== "");
}
