import { PlatformError, PlatformNotFoundError, PlatformPermissionError, PlatformValidationError } from "../../src/contracts/errors.js";
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

/** The errors a download ends with, so each caller keeps its own error family (platform errors, Dify errors). */
export interface DownloadFailures {
  /** A host or address the rules refuse; nothing was sent to it. */
  blocked(message: string): Error;
  tooLarge(maxBytes: number): Error;
  invalid(message: string): Error;
  notAFile(message: string): Error;
  notFound(message: string): Error;
  denied(): Error;
  /** Anything else: a refused connection, a 5xx, a timeout, a body cut short. */
  failed(message: string, cause?: unknown): Error;
}

/**
 * The rules the downloader applies, whoever the files belong to. `trustedOrigins` are exact origins (scheme,
 * host and port) configured by the operator: trusted like file hosts and exempt from the private-address check.
 */
export interface FetchRules {
  /** Names the file hosts in errors: "not a slack file host". */
  readonly label: string;
  readonly fileHosts: readonly string[];
  readonly fileHostSuffixes?: readonly string[] | undefined;
  readonly trustedOrigins: readonly string[];
  readonly bearerToken?: string | undefined;
  readonly redirects: "file-hosts" | "any-public-host";
  /** Set: an HTML page where another type was expected is refused, with this as the reason. */
  readonly htmlPageMeaning?: string | undefined;
  readonly failures: DownloadFailures;
}

/** A platform's policy as the downloader's rules, failing with the PlatformError family. */
export function platformFetchRules(policy: DownloadPolicy): FetchRules {
  const { platform } = policy;
  return {
    label: platform,
    fileHosts: policy.fileHosts,
    fileHostSuffixes: policy.fileHostSuffixes,
    trustedOrigins: policy.trustedApiUrl !== undefined ? [policy.trustedApiUrl] : [],
    bearerToken: policy.bearerToken,
    redirects: policy.redirects,
    htmlPageMeaning: policy.htmlPageMeaning,
    failures: {
      blocked: (message) => new PlatformValidationError(platform, "blocked_host", message),
      tooLarge: (maxBytes) => new PlatformValidationError(platform, "too_large", `file is larger than ${maxBytes} bytes`),
      invalid: (message) => new PlatformValidationError(platform, "invalid", message),
      notAFile: (message) => new PlatformValidationError(platform, "not_a_file", message),
      notFound: (message) => new PlatformNotFoundError(platform, message),
      denied: () => new PlatformPermissionError(platform, "file download", policy.permissionScope),
      failed: (message, cause) => new PlatformError(platform, message, cause === undefined ? undefined : { cause }),
    },
  };
}

/** How a URL relates to the policy: the configured API host, one of the file hosts, or anything else. */
export type HostKind = "api" | "file-host" | "other";

/** @internal A platform policy's view of a URL; the downloader itself works on `FetchRules`. */
export function classifyHost(policy: DownloadPolicy, url: URL): HostKind {
  return classifyUrl(platformFetchRules(policy), url);
}

export function classifyUrl(rules: FetchRules, url: URL): HostKind {
  for (const trusted of rules.trustedOrigins) {
    const origin = new URL(trusted);
    if (url.protocol === origin.protocol && url.host === origin.host) return "api";
  }
  if (url.protocol !== "https:" || url.port !== "") return "other";
  const host = url.hostname.toLowerCase();
  if (rules.fileHosts.includes(host) || (rules.fileHostSuffixes ?? []).some((suffix) => host.endsWith(suffix))) return "file-host";
  return "other";
}
