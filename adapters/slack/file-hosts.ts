import { BlockList, isIP } from "node:net";

/**
 * Hosts that serve Slack's private files and may receive the bot token:
 * - files.slack.com: `url_private(_download)` of every workspace, Enterprise Grid included;
 * - files.slack-gov.com: the same for GovSlack;
 * - *.slack-edge.com: Slack's CDN, where file downloads are redirected (and thumbnails live);
 * - slack-files.com and its subdomains: public file links and their redirects.
 * HTTPS only. The host of SLACK_API_URL is added when it is set: whoever points the bridge at another Slack
 * endpoint (a proxy, a test server) trusts it with the token already.
 */
export const SLACK_FILE_HOSTS: readonly string[] = ["files.slack.com", "files.slack-gov.com", "slack-files.com"];
export const SLACK_FILE_HOST_SUFFIXES: readonly string[] = [".slack-edge.com", ".slack-files.com"];

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

// Loopback, private, link-local, carrier-grade NAT, unspecified and multicast ranges: never fetched on behalf of
// an attachment URL unless the host is trusted.
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  PRIVATE.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(net, bits, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return PRIVATE.check(mapped[1] as string, "ipv4");
  const family = isIP(bare);
  if (family === 4) return PRIVATE.check(bare, "ipv4");
  if (family === 6) return PRIVATE.check(bare, "ipv6");
  return false;
}
