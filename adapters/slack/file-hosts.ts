/**
 * Hosts that serve Slack's private files and may receive the bot token:
 * - files.slack.com: `url_private(_download)` of every workspace, Enterprise Grid included;
 * - files.slack-gov.com: the same for GovSlack;
 * - *.slack-edge.com: Slack's CDN, where file downloads are redirected (and thumbnails live);
 * - slack-files.com and its subdomains: public file links and their redirects.
 * HTTPS only. The host of SLACK_API_URL is added when it is set: whoever points the bridge at another Slack
 * endpoint (a proxy, a test server) trusts it with the token already.
 */
const SLACK_FILE_HOSTS: readonly string[] = ["files.slack.com", "files.slack-gov.com", "slack-files.com"];
const SLACK_FILE_HOST_SUFFIXES: readonly string[] = [".slack-edge.com", ".slack-files.com"];

export interface FileHostPolicy {
  /** May this URL receive the bot token (and be fetched at all as a first hop)? */
  isTrusted(url: URL): boolean;
}

export function createFileHostPolicy(customApiUrl?: string): FileHostPolicy {
  const custom = customApiUrl === undefined ? undefined : new URL(customApiUrl);
  return {
    isTrusted(url) {
      if (custom !== undefined && url.protocol === custom.protocol && url.host === custom.host) return true;
      if (url.protocol !== "https:" || url.port !== "") return false;
      const host = url.hostname.toLowerCase();
      return SLACK_FILE_HOSTS.includes(host) || SLACK_FILE_HOST_SUFFIXES.some((s) => host.endsWith(s));
    },
  };
}

export { isPrivateAddress } from "../../src/net/private-address.js";
