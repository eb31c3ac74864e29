import { discordModule } from "../../adapters/discord/module.js";
import { slackModule } from "../../adapters/slack/module.js";
import { webModule } from "../../adapters/web/module.js";
import type { PlatformModule } from "../contracts/platform-module.js";

/**
 * Every adapter the bridge ships. src/app/ is the only part of src/ that imports adapters
 * (test/unit/boundaries.test.ts holds that rule); a new platform is one more entry here.
 */
export const PLATFORM_MODULES: readonly PlatformModule[] = [slackModule, discordModule];

/** The web playground: not a platform that enables the bridge on its own setting (see src/app/surfaces.ts). */
export const PLAYGROUND_MODULE: PlatformModule = webModule;
