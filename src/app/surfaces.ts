import { randomBytes } from "node:crypto";
import type { CoreConfig } from "../config/config.js";
import type { Environment } from "../config/environment.js";
import type { ParseResult } from "../contracts/config-schema.js";
import type { PlatformModule } from "../contracts/platform-module.js";
import { type EnabledPlatform, noPlatformIssue, parsePlatformConfigs } from "./platform-config.js";

/** What one process serves: its platforms (the playground among them when on) and the console's token. */
export interface Surfaces {
  readonly platforms: readonly EnabledPlatform[];
  /** The console's token; `generated` when nothing was configured and the playground runs alone. */
  readonly console: { readonly token: string; readonly generated: boolean } | null;
  readonly playground: boolean;
}

/**
 * Which surfaces this process serves:
 * - platforms set (Slack, Discord): those, plus the console and the playground when CONSOLE_TOKEN is set;
 * - no platform set: the playground alone, behind a token generated for this run (printed once at start), so a
 *   newcomer with only DIFY_API_KEY and Redis sees the product working before creating any platform app.
 * The playground keeps its chats in memory, so it runs only where one process takes both roles (BRIDGE_ROLE=all).
 */
export function planSurfaces(env: Environment, core: CoreConfig, modules: readonly PlatformModule[], playground: PlatformModule): ParseResult<Surfaces> {
  const { enabled, issues } = parsePlatformConfigs(env, modules);
  const web = playground.parseConfig(env);
  const allIssues = [...issues, ...(web.ok ? [] : web.issues)];
  if (allIssues.length > 0) return { ok: false, issues: allIssues };
  const webOn = web.ok && web.value !== null && core.role === "all";
  const withWeb = (list: readonly EnabledPlatform[]) => (webOn && web.ok ? [...list, { module: playground, config: web.value }] : list);
  if (enabled.length === 0) {
    if (!webOn) return { ok: false, issues: [`${noPlatformIssue(modules)} (or run with BRIDGE_ROLE=all and WEB_PLAYGROUND=on to try the web playground)`] };
    const token = core.console.token ?? randomBytes(24).toString("base64url");
    return { ok: true, value: { platforms: withWeb([]), console: { token, generated: core.console.token === undefined }, playground: true } };
  }
  const token = core.console.token;
  if (!token) return { ok: true, value: { platforms: enabled, console: null, playground: false } };
  return { ok: true, value: { platforms: withWeb(enabled), console: { token, generated: false }, playground: webOn } };
}
