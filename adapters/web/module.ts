import { z } from "zod";
import { envEnum, type ParseResult, parseWith } from "../../src/contracts/config-schema.js";
import type { PlatformModule } from "../../src/contracts/platform-module.js";
import { WebPlatform } from "./web-platform.js";

/** The playground's one setting: on whenever the console is (the default), or off. */
export interface WebConfig {
  readonly enabled: true;
}

const schema = z.object({ WEB_PLAYGROUND: envEnum(["on", "off"], "on") });

function parseWebConfig(env: Readonly<Record<string, string | undefined>>): ParseResult<WebConfig | null> {
  const parsed = parseWith(schema, env);
  if (!parsed.ok) return parsed;
  return { ok: true, value: parsed.value.WEB_PLAYGROUND === "off" ? null : { enabled: true } };
}

/**
 * The web playground as the composition root sees it. It is not among the platforms that "enable the bridge":
 * src/app/surfaces.ts turns it on with the console (CONSOLE_TOKEN), and on its own when no platform is set.
 */
export const webModule: PlatformModule<WebConfig> = {
  id: "web",
  displayName: "Web playground",
  enabledBy: "WEB_PLAYGROUND",
  envVars: ["WEB_PLAYGROUND"],
  secretEnvVars: [],
  parseConfig: parseWebConfig,
  checkSetup: async () => [{ area: "Web playground", name: "served", status: "pass", detail: "/console/playground, with the console's token" }],
  create: (_config, deps) => new WebPlatform({ logger: deps.logger.child({ platform: "web" }) }),
};
