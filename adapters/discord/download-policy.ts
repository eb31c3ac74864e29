import { BlockList, isIP } from "node:net";
import { DISCORD_CDN_HOSTS } from "./limits.js";

export type UrlVerdict =
  | { readonly ok: true; readonly url: URL; /** Resolve the host and refuse private addresses before fetching. */ readonly checkAddress: boolean }
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

const PRIVATE_RANGES = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ] as const) {
    list.addSubnet(net, prefix, "ipv4");
  }
  for (const [net, prefix] of [
    ["::", 128],
    ["::1", 128],
    ["fc00::", 7],
    ["fe80::", 10],
    ["ff00::", 8],
  ] as const) {
    list.addSubnet(net, prefix, "ipv6");
  }
  return list;
})();

/** Loopback, private, link-local, CGNAT, multicast and reserved addresses (IPv4-mapped IPv6 included). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE_RANGES.check(address, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return PRIVATE_RANGES.check(mapped[1], "ipv4");
    return PRIVATE_RANGES.check(address, "ipv6");
  }
  return true;
}
