import type { PlatformModule } from "../../src/contracts/platform-module.js";
import { parseSlackConfig, SLACK_ENV_VARS, type SlackConfig } from "./config.js";
import { checkSlack } from "./doctor.js";
import { createSlackPlatform } from "./index.js";

/** Slack as the composition root sees it (src/app/platform-modules.ts). */
export const slackModule: PlatformModule<SlackConfig> = {
  id: "slack",
  displayName: "Slack",
  enabledBy: "SLACK_BOT_TOKEN",
  envVars: SLACK_ENV_VARS,
  secretEnvVars: ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET", "SLACK_TOKEN_KEY"],
  parseConfig: parseSlackConfig,
  checkSetup: checkSlack,
  create: createSlackPlatform,
};
