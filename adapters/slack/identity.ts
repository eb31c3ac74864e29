import type { WebClient } from "@slack/web-api";
import { PlatformError } from "../../src/contracts/errors.js";
import type { Logger } from "../../src/contracts/logger.js";
import { callSlack } from "./errors.js";
import { findMissingScopes, REQUIRED_BOT_SCOPES } from "./scopes.js";

/** Who the bot is, learned once at start from auth.test. */
export interface SlackBotIdentity {
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  /** Granted scopes from the `x-oauth-scopes` header; empty when Slack did not send it. */
  readonly scopes: readonly string[];
}

/**
 * Calls auth.test once, fails start when the token is rejected or the answer lacks the bot's ids, and logs every
 * required scope the token was not granted (by name, with what it is needed for) without failing: a missing
 * `users:read` degrades names, not the bot.
 */
export async function fetchBotIdentity(client: WebClient, logger: Logger): Promise<SlackBotIdentity> {
  const res = await callSlack("auth.test", () => client.auth.test());
  const { user_id: botUserId, bot_id: botId, team_id: teamId } = res;
  if (!botUserId || !botId || !teamId) {
    throw new PlatformError("slack", "auth.test did not return user_id, bot_id and team_id: is SLACK_BOT_TOKEN a bot token?");
  }
  const scopes = res.response_metadata?.scopes ?? [];
  if (scopes.length === 0) {
    logger.warn({ platform: "slack" }, "Slack did not report the token's scopes; cannot check them");
  } else {
    for (const scope of findMissingScopes(scopes)) {
      logger.warn(
        { platform: "slack", scope, neededFor: REQUIRED_BOT_SCOPES[scope] },
        `Slack bot token lacks the ${scope} scope (add it in slack-app-manifest.yml and reinstall the app)`,
      );
    }
  }
  logger.info({ platform: "slack", teamId, botUserId, botId }, "Slack bot identity confirmed");
  return { botUserId, botId, teamId, scopes };
}
