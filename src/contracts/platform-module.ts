import type { ChatPlatform } from "./chat-platform.js";
import type { ParseResult } from "./config-schema.js";
import type { DoctorCheck } from "./doctor.js";
import type { InstallationVault } from "./installations.js";
import type { Logger } from "./logger.js";
import type { PlatformId } from "./messages.js";

/** What the composition root hands every adapter factory. Adapters may take more (each documents its own). */
export interface PlatformDeps {
  readonly logger: Logger;
  /** Storage for per-workspace installations (Slack OAuth); usable once the bridge has started. */
  readonly installations?: InstallationVault;
}

/**
 * One adapter as the composition root sees it: everything `main.ts` and `npm run doctor` need, so neither
 * names an adapter. Each adapter exports one (`adapters/<platform>/module.ts`); `src/app/platform-modules.ts`
 * lists them.
 *
 * The methods are declared as methods on purpose: their parameters are then checked bivariantly, so a
 * `PlatformModule<SlackConfig>` fits a list of `PlatformModule`s while each module keeps its own config type.
 */
export interface PlatformModule<Config = unknown> {
  readonly id: PlatformId;
  /** "Slack", "Discord": for messages and doctor lines. */
  readonly displayName: string;
  /** The variable whose presence turns the adapter on (product.md §3). */
  readonly enabledBy: string;
  /** Every environment variable `parseConfig` reads, `enabledBy` included. */
  readonly envVars: readonly string[];
  /** The variables that hold secrets: their values are scrubbed from every log line. */
  readonly secretEnvVars: readonly string[];
  /** Parses the adapter's variables: `null` when it is off; every problem at once, never echoing a value. */
  parseConfig(env: Readonly<Record<string, string | undefined>>): ParseResult<Config | null>;
  /**
   * `npm run doctor`'s checks for an enabled adapter (token, scopes or intents, transport). `installations` is
   * the bridge's vault when Redis is reachable, so adapters installed per workspace check every installation.
   */
  checkSetup(config: Config, deps?: { readonly installations?: InstallationVault }): Promise<DoctorCheck[]>;
  /** Builds the adapter; nothing connects before `start()`. */
  create(config: Config, deps: PlatformDeps): ChatPlatform;
}
