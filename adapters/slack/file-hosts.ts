import type { DownloadPolicy } from "../shared/download-policy.js";
import type { SlackConfig } from "./config.js";

/**
 * Hosts that serve Slack's private files and may receive the bot token:
 * - files.slack.com: `url_private(_download)` of every workspace, Enterprise Grid included;
 * - files.slack-gov.com: the same for GovSlack;
 * - *.slack-edge.com: Slack's CDN, where file downloads are redirected (and thumbnails live);
 * - slack-files.com and its subdomains: public file links and their redirects.
 * HTTPS only. The host of SLACK_API_URL is added when it is set (see `DownloadPolicy.trustedApiUrl`).
 */
const SLACK_FILE_HOSTS: readonly string[] = ["files.slack.com", "files.slack-gov.com", "slack-files.com"];
const SLACK_FILE_HOST_SUFFIXES: readonly string[] = [".slack-edge.com", ".slack-files.com"];

/**
 * Slack's downloads: the bot token to Slack's file hosts; a redirect may lead to another host (Slack hands some
 * files to a CDN), which then gets no token and must be on a public address.
 */
export function slackDownloadPolicy(config: Pick<SlackConfig, "botToken" | "apiUrl" | "isCustomApiUrl">): DownloadPolicy {
  return {
    platform: "slack",
    fileHosts: SLACK_FILE_HOSTS,
    fileHostSuffixes: SLACK_FILE_HOST_SUFFIXES,
    trustedApiUrl: config.isCustomApiUrl ? config.apiUrl : undefined,
    bearerToken: config.botToken,
    redirects: "any-public-host",
    permissionScope: "files:read",
    // Slack answers a file request it cannot authorize with its sign-in page and status 200.
    htmlPageMeaning: "Slack's sign-in page, so the bot token needs the files:read scope",
  };
}
