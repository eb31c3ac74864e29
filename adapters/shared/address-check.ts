import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * 2000::/3 is the only IPv6 space allocated for global unicast. Everything outside it (the IPv4-compatible
 * ::/96, NAT64 64:ff9b::/96, discard 100::/64, unique-local, link-local, multicast…) is refused; ipaddr.js
 * classifies the special ranges inside it (documentation, 6to4, Teredo, ORCHID…).
 */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR("2000::/3");

/**
 * Whether an attachment URL may reach this address: only plain public unicast. Private, loopback,
 * link-local, carrier-grade NAT, multicast, broadcast, unspecified, reserved and documentation ranges are
 * not, an IPv4-mapped IPv6 address is judged by its IPv4 address, and anything that is not an IP address
 * fails closed. Range tables come from ipaddr.js (kept up to date with the IANA special-purpose registries)
 * rather than a hand-kept list.
 */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  if (isIP(bare) === 0) return false;
  let ip = ipaddr.parse(bare);
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  if (ip.kind() === "ipv4") return ip.range() === "unicast";
  return ip.range() === "unicast" && ip.match(GLOBAL_UNICAST_V6);
}

/** The `code` of the error a guarded lookup fails with, so the downloader can tell it from a DNS failure. */
export const BLOCKED_ADDRESS_CODE = "EBLOCKEDADDRESS";

/**
 * Wraps a DNS lookup so a socket can only connect to public addresses: the check runs inside the connect
 * call, on the very addresses the socket will use, so nothing can change between check and connect (a
 * second DNS answer cannot rebind the name). A name with any non-public address is refused as a whole.
 * Node skips `lookup` for IP literals: callers check those with `isPublicAddress` before connecting.
 *
 * request-filtering-agent does the same job as an http.Agent, but its refusals are plain Errors told apart
 * from DNS failures only by their message text, and it lets IPv6 outside 2000::/3 through (`::2` counts as
 * unicast there); these few lines over ipaddr.js give the downloader a coded error and the stricter rule.
 */
export function guardedLookup(resolve: LookupFunction = dnsLookup as LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, found) => {
      if (err) return callback(err, "", 0);
      const addresses = Array.isArray(found) ? found : [{ address: found, family: isIP(found) } satisfies LookupAddress];
      if (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a.address))) {
        const blocked: NodeJS.ErrnoException = new Error(`${hostname} resolves to a private or reserved address`);
        blocked.code = BLOCKED_ADDRESS_CODE;
        return callback(blocked, "", 0);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}
