import type { DownloadPolicy } from "../shared/download-policy.js";
import type { DiscordConfig } from "./config.js";

/** Hosts Discord serves attachments from. */
const DISCORD_CDN_HOSTS: readonly string[] = ["cdn.discordapp.com", "media.discordapp.net"];

/**
 * Discord's downloads: attachment URLs are signed, so no Authorization header is ever sent, and a redirect may
 * only lead to the CDN again (or to the DISCORD_API_URL host). Signed URLs expire: download right away.
 */
export function discordDownloadPolicy(config: Pick<DiscordConfig, "apiUrl">): DownloadPolicy {
  return {
    platform: "discord",
    fileHosts: DISCORD_CDN_HOSTS,
    trustedApiUrl: config.apiUrl,
    redirects: "file-hosts",
    htmlPageMeaning: "an error page from the CDN",
  };
}
