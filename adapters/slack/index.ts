import type { ChatPlatform } from "../../src/contracts/chat-platform.js";
import type { SlackConfig } from "./config.js";
import { SlackPlatform, type SlackPlatformDeps } from "./slack-platform.js";

/** The Slack adapter behind the ChatPlatform port. `parseSlackConfig(env)` gives the config (null = Slack off). */
export function createSlackPlatform(config: SlackConfig, deps: SlackPlatformDeps): ChatPlatform {
  return new SlackPlatform(config, deps);
}
