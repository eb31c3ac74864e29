import type { DiscordConfig } from "./config.js";
import { DiscordPlatform, type DiscordPlatformDeps } from "./discord-platform.js";

/** Discord as a `ChatPlatform`. Nothing connects until `start()`. */
export function createDiscordPlatform(config: DiscordConfig, deps: DiscordPlatformDeps): DiscordPlatform {
  return new DiscordPlatform(config, deps);
}

export { type DiscordConfig, parseDiscordConfig } from "./config.js";
export { DiscordPlatform, type DiscordPlatformDeps } from "./discord-platform.js";
export { type DiscordConversationAddress, decodeConversationKey, encodeConversationKey } from "./ids.js";
export { DISCORD_LIMITS, DISCORD_RATE_BUDGETS } from "./limits.js";
export { inviteUrl, REQUIRED_PERMISSIONS, requiredPermissionsInteger } from "./permissions.js";
