import type { Logger } from "../../src/contracts/logger.js";
import type { DiscordConfig } from "./config.js";
import { DiscordPlatform, type DiscordPlatformOptions } from "./discord-platform.js";

/** Discord as a `ChatPlatform`. Nothing connects until `start()`. */
export function createDiscordPlatform(config: DiscordConfig, deps: { logger: Logger }, options?: DiscordPlatformOptions): DiscordPlatform {
  return new DiscordPlatform(config, deps, options);
}
