import type { PlatformId } from "../../src/contracts/messages.js";

/** What one platform's downloads may do; each adapter builds one (adapters/<platform>/file-hosts.ts). */
export interface DownloadPolicy {
  readonly platform: PlatformId;
  /** Host names that serve the platform's files (https on the default port only). */
  readonly fileHosts: readonly string[];
  /** Suffixes (with the leading dot) whose subdomains serve files too, e.g. ".slack-edge.com". */
  readonly fileHostSuffixes?: readonly string[];
  /**
   * SLACK_API_URL / DISCORD_API_URL when set. Its origin (scheme, host and port) is trusted like a file host
   * and is the one place the private-address check does not apply: whoever points the bridge at another
   * endpoint (a proxy, a test server on 127.0.0.1) trusts it with the token already.
   */
  readonly trustedApiUrl?: string | undefined;
  /** Sent as `Authorization: Bearer …` to the file hosts and the API host only; none when unset. */
  readonly bearerToken?: string | undefined;
  /** Where a redirect may lead: only to the hosts above, or to any host on a public address (without the token). */
  readonly redirects: "file-hosts" | "any-public-host";
  /** The OAuth scope a 401/403 or a sign-in page points at, named in the error. */
  readonly permissionScope?: string;
  /** Why an HTML page came back instead of the file, for the log. */
  readonly htmlPageMeaning: string;
}

/** How a URL relates to the policy: the configured API host, one of the file hosts, or anything else. */
export type HostKind = "api" | "file-host" | "other";

export function classifyHost(policy: DownloadPolicy, url: URL): HostKind {
  if (policy.trustedApiUrl !== undefined) {
    const api = new URL(policy.trustedApiUrl);
    if (url.protocol === api.protocol && url.host === api.host) return "api";
  }
  if (url.protocol !== "https:" || url.port !== "") return "other";
  const host = url.hostname.toLowerCase();
  if (policy.fileHosts.includes(host) || (policy.fileHostSuffixes ?? []).some((suffix) => host.endsWith(suffix))) return "file-host";
  return "other";
}
