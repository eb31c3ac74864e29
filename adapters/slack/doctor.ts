import { WebClient } from "@slack/web-api";
import type { DoctorCheck } from "../../src/contracts/doctor.js";
import type { InstallationVault } from "../../src/contracts/installations.js";
import type { SlackConfig } from "./config.js";
import { checkInstallations } from "./installation-checks.js";
import { findMissingScopes, REQUIRED_BOT_SCOPES } from "./scopes.js";

/** `npm run doctor` for Slack: the token, the scopes it was granted against the manifest's, and the transport. */
export async function checkSlack(config: SlackConfig, deps: { readonly installations?: InstallationVault } = {}): Promise<DoctorCheck[]> {
  const area = "Slack";
  const client = (token: string) =>
    new WebClient(token, { slackApiUrl: `${config.apiUrl}/`, retryConfig: { retries: 0 }, timeout: 10_000, rejectRateLimitedCalls: true });
  const checks: DoctorCheck[] = [];
  let scopes: string[] = [];
  if (config.botToken === undefined) return checkInstallations(config, deps.installations);
  try {
    const auth = await client(config.botToken).auth.test();
    scopes = auth.response_metadata?.scopes ?? [];
    checks.push({ area, name: "bot token", status: "pass", detail: `workspace ${auth.team ?? auth.team_id}, bot @${auth.user ?? auth.user_id}` });
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    return [
      {
        area,
        name: "bot token",
        status: "fail",
        detail: code ? `auth.test answered ${code}` : `cannot reach ${config.apiUrl}`,
        fix: code
          ? "Copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions into SLACK_BOT_TOKEN, and reinstall the app if it was revoked."
          : "Check network access to Slack (or SLACK_API_URL).",
      },
    ];
  }
  const missing = findMissingScopes(scopes);
  checks.push(
    missing.length === 0
      ? { area, name: "scopes", status: "pass", detail: `all ${Object.keys(REQUIRED_BOT_SCOPES).length} scopes of slack-app-manifest.yml granted` }
      : {
          area,
          name: "scopes",
          status: "fail",
          detail: `missing ${missing.map((s) => `${s} (${REQUIRED_BOT_SCOPES[s]})`).join(", ")}`,
          fix: "Add them under OAuth & Permissions → Bot Token Scopes (or recreate the app from slack-app-manifest.yml), then reinstall the app to the workspace.",
        },
  );
  if (config.transport.kind === "socket") {
    try {
      await client(config.transport.appToken).apps.connections.open();
      checks.push({ area, name: "Socket Mode", status: "pass", detail: "app-level token accepted" });
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error ?? "no answer";
      checks.push({
        area,
        name: "Socket Mode",
        status: "fail",
        detail: `apps.connections.open answered ${code}`,
        fix: "Create an app-level token with connections:write (Basic Information → App-Level Tokens), put it in SLACK_APP_TOKEN, and turn Socket Mode on.",
      });
    }
  } else {
    checks.push({
      area,
      name: "Events API",
      status: "pass",
      detail: "HTTP: Slack must reach https://YOUR-HOST/slack/events (Event Subscriptions and Interactivity request URLs)",
    });
  }
  return checks;
}
