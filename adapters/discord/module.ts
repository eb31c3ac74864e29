import type { PlatformModule } from "../../src/contracts/platform-module.js";
import { DISCORD_ENV_VARS, type DiscordConfig, parseDiscordConfig } from "./config.js";
import { checkDiscord } from "./doctor.js";
import { createDiscordPlatform } from "./index.js";

/** Discord as the composition root sees it (src/app/platform-modules.ts). */
export const discordModule: PlatformModule<DiscordConfig> = {
  id: "discord",
  displayName: "Discord",
  enabledBy: "DISCORD_BOT_TOKEN",
  envVars: DISCORD_ENV_VARS,
  secretEnvVars: ["DISCORD_BOT_TOKEN"],
  parseConfig: parseDiscordConfig,
  checkSetup: checkDiscord,
  create: createDiscordPlatform,
};
