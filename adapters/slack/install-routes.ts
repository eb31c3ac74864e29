import { InstallProvider } from "@slack/oauth";
import type { HttpRoute } from "../../src/contracts/chat-platform.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { SlackOAuthConfig } from "./config.js";
import type { VaultInstallationStore } from "./installation-store.js";
import { REQUIRED_BOT_SCOPES } from "./scopes.js";
import { toSlackSdkLogger } from "./slack-logger.js";

/** The install flow's paths on the bridge's port (product.md §3; the app's Redirect URL points at the second). */
const SLACK_INSTALL_PATH = "/slack/install";
const SLACK_REDIRECT_PATH = "/slack/oauth_redirect";

/**
 * Slack's authorize page lives next to its Web API (https://slack.com/api → https://slack.com/oauth/v2/authorize),
 * so pointing SLACK_API_URL at another Slack (GovSlack, a test server) moves the install flow with it.
 */
function authorizationUrl(apiUrl: string): string {
  return new URL("/oauth/v2/authorize", apiUrl).toString();
}

/**
 * Bolt's installer (@slack/oauth's InstallProvider, what Bolt's receivers run) for Slack's install flow:
 * GET /slack/install sets the state cookie and links to Slack's authorize page asking for the manifest's bot
 * scopes; GET /slack/oauth_redirect checks the state against the cookie, exchanges the code (oauth.v2.access),
 * confirms the token (auth.test) and stores the installation. Both transports serve it on the bridge's port.
 */
export function createSlackInstaller(
  oauth: SlackOAuthConfig,
  store: VaultInstallationStore,
  opts: { readonly apiUrl: string; readonly logger: Logger },
): { readonly installer: InstallProvider; readonly routes: readonly HttpRoute[] } {
  const installer = new InstallProvider({
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    stateSecret: oauth.stateSecret,
    installationStore: store,
    authorizationUrl: authorizationUrl(opts.apiUrl),
    installUrlOptions: { scopes: Object.keys(REQUIRED_BOT_SCOPES), ...(oauth.redirectUri !== undefined ? { redirectUri: oauth.redirectUri } : {}) },
    logger: toSlackSdkLogger(opts.logger, "slack-oauth"),
    clientOptions: { slackApiUrl: `${opts.apiUrl}/`, retryConfig: { retries: 0 } },
  });
  const serve =
    (what: string, run: (req: Parameters<HttpRoute["handle"]>[0], res: Parameters<HttpRoute["handle"]>[1]) => Promise<void>): HttpRoute["handle"] =>
    (req, res) => {
      run(req, res).catch((err: unknown) => {
        opts.logger.warn({ platform: "slack", err }, `Slack ${what} failed`);
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
          res.end("The Slack installation could not be completed.");
        }
      });
    };
  const routes: HttpRoute[] = [
    { method: "GET", path: SLACK_INSTALL_PATH, handle: serve("install page", (req, res) => installer.handleInstallPath(req, res)) },
    {
      method: "GET",
      path: SLACK_REDIRECT_PATH,
      // Bolt's default success and failure pages; a failure (bad state, cancelled, exchange refused) is logged here.
      handle: serve("OAuth redirect", (req, res) =>
        installer.handleCallback(req, res, {
          failure: (error, _options, _req, response) => {
            opts.logger.warn({ platform: "slack", err: error }, "Slack installation failed");
            response.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
            response.end("The Slack installation failed. Please start again from the install page.");
          },
        }),
      ),
    },
  ];
  return { installer, routes };
}
