import { isIP } from "node:net";
import { isPrivateAddress as isPrivateIp } from "../../src/net/private-address.js";
import { DISCORD_CDN_HOSTS } from "./limits.js";

export type UrlVerdict =
  | { readonly ok: true; readonly url: URL /** Resolve the host and refuse private addresses before fetching. */; readonly checkAddress: boolean }
  | { readonly ok: false; readonly why: string };

/**
 * Which attachment URLs may be fetched: Discord's CDN over https, plus the host of DISCORD_API_URL when one is
 * configured (the platform the bridge is pointed at is trusted, including a fake on 127.0.0.1).
 */
export function checkAttachmentUrl(raw: string, trustedApiUrl: string | undefined): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, why: "not a URL" };
  }
  if (url.username || url.password) return { ok: false, why: "credentials in URL" };
  if (trustedApiUrl !== undefined) {
    const api = new URL(trustedApiUrl);
    if (url.protocol === api.protocol && url.host === api.host) return { ok: true, url, checkAddress: false };
  }
  const host = url.hostname.toLowerCase();
  if (!DISCORD_CDN_HOSTS.includes(host)) return { ok: false, why: "host is not Discord's CDN" };
  if (url.protocol !== "https:") return { ok: false, why: "CDN URL is not https" };
  if (url.port !== "") return { ok: false, why: "unexpected port" };
  return { ok: true, url, checkAddress: true };
}

/** A resolved address is safe to fetch only if it is a public IP address (anything else fails closed). */
export function isPrivateAddress(address: string): boolean {
  return isIP(address) === 0 || isPrivateIp(address);
}
