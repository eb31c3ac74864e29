import type { DiscordConfig } from "./config.js";
import { DiscordPlatform, type DiscordPlatformDeps } from "./discord-platform.js";

/** Discord as a `ChatPlatform`. Nothing connects until `start()`. */
export function createDiscordPlatform(config: DiscordConfig, deps: DiscordPlatformDeps): DiscordPlatform {
  return new DiscordPlatform(config, deps);
}
