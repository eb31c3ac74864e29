import { lookup as dnsLookup } from "node:dns";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, LookupFunction } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { DownloadPolicy } from "../../../adapters/shared/download-policy.js";
import { createSafeDownloader, type SafeDownloadOptions } from "../../../adapters/shared/safe-downloader.js";
import { PlatformError, PlatformValidationError } from "../../../src/contracts/errors.js";

/** A server that records every TCP connection and request, and answers with `handle`. */
async function listener(handle: (path: string, res: ServerResponse) => void) {
  const seen = { connections: 0, requests: [] as Array<{ path: string; headers: IncomingHttpHeaders }> };
  const server = createServer((req, res) => {
    seen.requests.push({ path: req.url ?? "", headers: req.headers });
    handle(req.url ?? "", res);
  });
  server.on("connection", () => {
    seen.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    seen,
    port,
    origin: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves `*.test` names to 127.0.0.1 (as a hostile DNS answer would) and everything else as usual. */
const names: string[] = [];
const hostileDns: LookupFunction = (hostname, options, callback) => {
  names.push(hostname);
  if (hostname.endsWith(".test")) return callback(null, [{ address: "127.0.0.1", family: 4 }]);
  return (dnsLookup as LookupFunction)(hostname, options, callback);
};

const TOKEN = "xoxb-downloader-test";
const file = (ref: string) => ({ ref, mimeType: "application/octet-stream", sizeBytes: 0 });
const limits = (maxBytes = 1_000_000) => ({ signal: new AbortController().signal, maxBytes });

describe("the shared safe downloader", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    names.length = 0;
    for (const close of closers.splice(0)) await close();
  });

  /** The platform's API host (trusted, on 127.0.0.1) redirecting every request to `location(path)`. */
  async function apiHostRedirectingTo(location: (path: string) => string, options: SafeDownloadOptions = {}) {
    const api = await listener((path, res) => {
      res.writeHead(302, { location: location(path) });
      res.end();
    });
    closers.push(api.close);
    const policy: DownloadPolicy = {
      platform: "slack",
      fileHosts: [],
      trustedApiUrl: `${api.origin}/api`,
      bearerToken: TOKEN,
      redirects: "any-public-host",
      htmlPageMeaning: "a sign-in page",
    };
    return { api, download: createSafeDownloader(policy, { lookup: hostileDns, ...options }) };
  }

  async function target(handle: (path: string, res: ServerResponse) => void) {
    const t = await listener(handle);
    closers.push(t.close);
    return t;
  }

  it("refuses, at connect time, a host whose name resolves to a private address: the server sees no connection", async () => {
    const inside = await target((_p, res) => res.end("internal secret"));
    const { api, download } = await apiHostRedirectingTo(() => `http://metadata.test:${inside.port}/latest`);
    const err = await download(file(`${api.origin}/files/a`), limits()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformValidationError);
    expect(err).toMatchObject({ reason: "blocked_host" });
    // The name was resolved by the guarded lookup inside the connect call, and the connection never happened.
    expect(names).toContain("metadata.test");
    expect(inside.seen.connections).toBe(0);
    expect(api.seen.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("refuses a redirect to a private IP literal before connecting", async () => {
    const inside = await target((_p, res) => res.end("internal secret"));
    const { api, download } = await apiHostRedirectingTo(() => `${inside.origin}/admin`);
    await expect(download(file(`${api.origin}/files/a`), limits())).rejects.toMatchObject({ reason: "blocked_host" });
    expect(inside.seen.connections).toBe(0);
  });

  it("follows a redirect to another host without the token (private addresses allowed only in this test)", async () => {
    const other = await target((_p, res) => res.end("the file"));
    const { api, download } = await apiHostRedirectingTo(() => `http://elsewhere.test:${other.port}/f`, { allowPrivateAddresses: true });
    const bytes = await download(file(`${api.origin}/files/a`), limits());
    expect(Buffer.from(bytes).toString()).toBe("the file");
    expect(api.seen.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(other.seen.requests.map((r) => r.headers.authorization)).toEqual([undefined]);
  });

  it("gives up on a server that goes quiet, before the headers or mid-body (idle timeout)", async () => {
    const silent = await target((path, res) => {
      if (path === "/mid-body") {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.write("first bytes");
      }
      // …and nothing more, ever.
    });
    const { api, download } = await apiHostRedirectingTo((path) => `${silent.origin}${path}`, {
      allowPrivateAddresses: true,
      idleTimeoutMs: 300,
      deadlineMs: 60_000,
    });
    for (const path of ["/before-headers", "/mid-body"]) {
      const err = await download(file(`${api.origin}${path}`), limits()).catch((e: unknown) => e);
      expect(err, path).toBeInstanceOf(PlatformError);
      expect((err as PlatformError).code).toBe("PLATFORM_UNAVAILABLE");
      expect((err as Error).message).toContain("received nothing for 300 ms");
    }
  }, 10_000);

  it("gives up on a server that trickles forever, never idle long enough for the idle timeout (overall deadline)", async () => {
    const trickle = await target((_p, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const timer = setInterval(() => res.write("x"), 20);
      res.on("close", () => clearInterval(timer));
    });
    const { api, download } = await apiHostRedirectingTo((path) => `${trickle.origin}${path}`, {
      allowPrivateAddresses: true,
      idleTimeoutMs: 1_000,
      deadlineMs: 600,
    });
    const err = await download(file(`${api.origin}/slow`), limits()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as Error).message).toContain("took longer than 600 ms");
    expect(trickle.seen.requests).toHaveLength(1);
  }, 10_000);

  it("refuses a first URL that is not on a file host, and URLs with credentials or other schemes", async () => {
    const { api, download } = await apiHostRedirectingTo(() => "ftp://files.example/x");
    for (const ref of ["https://evil.example/x", "file:///etc/passwd", `http://user:pw@127.0.0.1:${api.port}/x`, `${api.origin}/x`]) {
      await expect(download(file(ref), limits()), ref).rejects.toMatchObject({ reason: "blocked_host" });
    }
    // Only the last one reached the API host, whose redirect to ftp: was then refused.
    expect(api.seen.requests).toHaveLength(1);
  });
});
