import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { describe, expect, it } from "vitest";
import { BLOCKED_ADDRESS_CODE, guardedLookup, isPublicAddress } from "../../../../adapters/shared/address-check.js";

describe("isPublicAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local (cloud metadata)"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.251", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["198.18.0.1", "benchmarking"],
    ["192.0.2.10", "documentation"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["[::1]", "bracketed loopback"],
    ["fd00::1", "unique local"],
    ["fe80::1", "link-local"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "IPv4-mapped loopback"],
    ["::ffff:7f00:1", "IPv4-mapped loopback, hex form"],
    ["::ffff:10.0.0.1", "IPv4-mapped private"],
    ["::127.0.0.1", "IPv4-compatible (deprecated)"],
    ["64:ff9b::7f00:1", "NAT64"],
    ["2002:7f00:1::1", "6to4"],
    ["2001:db8::1", "documentation"],
    ["files.slack.com", "a host name, not an address"],
    ["garbage", "not an address"],
    ["", "empty"],
  ])("%s is not public (%s)", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(["8.8.8.8", "162.159.128.233", "2606:4700::6810:1", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"])("%s is public", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

/** A resolver with fixed answers, in node:dns's callback shape. */
function fixed(answers: Record<string, readonly LookupAddress[]>): LookupFunction {
  return (hostname, _options, callback) => {
    const found = answers[hostname];
    if (!found) {
      const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      err.code = "ENOTFOUND";
      return callback(err, "", 0);
    }
    callback(null, [...found]);
  };
}

function lookupOnce(lookup: LookupFunction, hostname: string, all: boolean) {
  return new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family: number | undefined }>((resolve) => {
    lookup(hostname, { all }, (err, address, family) => resolve({ err, address, family }));
  });
}

describe("guardedLookup", () => {
  const lookup = guardedLookup(
    fixed({
      "cdn.example": [{ address: "162.159.128.233", family: 4 }],
      "dual.example": [
        { address: "2606:4700::6810:1", family: 6 },
        { address: "162.159.128.233", family: 4 },
      ],
      "inside.example": [{ address: "127.0.0.1", family: 4 }],
      "mixed.example": [
        { address: "162.159.128.233", family: 4 },
        { address: "10.0.0.5", family: 4 },
      ],
    }),
  );

  it("hands public addresses to the socket, in the form it asked for", async () => {
    expect(await lookupOnce(lookup, "cdn.example", false)).toEqual({ err: null, address: "162.159.128.233", family: 4 });
    const all = await lookupOnce(lookup, "dual.example", true);
    expect(all.err).toBeNull();
    expect(all.address).toEqual([
      { address: "2606:4700::6810:1", family: 6 },
      { address: "162.159.128.233", family: 4 },
    ]);
  });

  it("refuses a name with any private address, so a socket cannot pick it", async () => {
    for (const host of ["inside.example", "mixed.example"]) {
      for (const all of [false, true]) {
        const { err } = await lookupOnce(lookup, host, all);
        expect(err?.code).toBe(BLOCKED_ADDRESS_CODE);
      }
    }
  });

  it("passes DNS failures through unchanged", async () => {
    expect((await lookupOnce(lookup, "nowhere.example", false)).err?.code).toBe("ENOTFOUND");
  });
});
