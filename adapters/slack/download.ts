import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { isIP } from "node:net";
import { PlatformError, PlatformNotFoundError, PlatformPermissionError, PlatformValidationError } from "../../src/contracts/errors.js";
import { type FileHostPolicy, isPrivateAddress } from "./file-hosts.js";

const MAX_DOWNLOAD_REDIRECTS = 5;

export interface DownloadOptions {
  readonly token: string;
  readonly policy: FileHostPolicy;
  readonly signal: AbortSignal;
  readonly maxBytes: number;
  /** The type Slack reported; an HTML answer is only accepted when the file itself is HTML. */
  readonly expectedMimeType?: string;
  /**
   * Let untrusted redirect hops reach private and loopback addresses. Off in production; tests that run every
   * server on 127.0.0.1 turn it on to exercise "redirect to another host" without a public address.
   */
  readonly allowPrivateAddresses?: boolean;
}

const blocked = (message: string) => new PlatformValidationError("slack", "blocked_host", message);

/** A DNS lookup that refuses names resolving to private or loopback addresses (checked on the address used). */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, "", 0);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad || addresses.length === 0) {
      return callback(Object.assign(new Error(`${hostname} resolves to a private address`), { code: "EBLOCKEDHOST" }), "", 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0] as LookupAddress;
    return callback(null, first.address, first.family);
  });
};

function get(url: URL, headers: Record<string, string>, signal: AbortSignal, checkAddress: boolean): Promise<IncomingMessage> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: "GET", headers, signal, ...(checkAddress ? { lookup: publicOnlyLookup } : {}) }, resolve);
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (signal.aborted) reject(signal.reason);
      else if (err.code === "EBLOCKEDHOST") reject(blocked(`refused to fetch ${url.hostname}: private address`));
      else reject(new PlatformError("slack", `file download failed (${err.code ?? err.name})`, { cause: err }));
    });
    req.end();
  });
}

async function readCapped(res: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        res.destroy();
        throw new PlatformValidationError("slack", "too_large", `file is larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (err instanceof PlatformError) throw err;
    throw new PlatformError("slack", "file download interrupted", { cause: err });
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

function failFor(res: IncomingMessage): PlatformError {
  const status = res.statusCode ?? 0;
  if (status === 404 || status === 410) return new PlatformNotFoundError("slack", `file download: HTTP ${status}`);
  if (status === 401 || status === 403) return new PlatformPermissionError("slack", "files download", "files:read");
  return new PlatformError("slack", `file download: HTTP ${status}`);
}

/**
 * Fetches a Slack private file. The bot token goes only to trusted file hosts; redirects are followed by hand
 * (at most 5) so the token is dropped on any hop to another host, and such hops may not reach private or
 * loopback addresses. The size is capped while streaming. Slack answers a request it cannot authorize (the
 * token lacks `files:read`) with its HTML sign-in page and status 200, which is reported as such.
 */
export async function downloadSlackFile(rawUrl: string, opts: DownloadOptions): Promise<Uint8Array> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new PlatformValidationError("slack", "invalid", "attachment reference is not a URL");
  }
  if (!opts.policy.isTrusted(url)) throw blocked(`refused to fetch a file from ${url.hostname}: not a Slack file host`);

  for (let hop = 0; hop <= MAX_DOWNLOAD_REDIRECTS; hop += 1) {
    if (url.protocol !== "https:" && url.protocol !== "http:") throw blocked(`refused ${url.protocol} URL`);
    const trusted = opts.policy.isTrusted(url);
    if (!trusted && !opts.allowPrivateAddresses && isIP(url.hostname.replace(/^\[|\]$/g, "")) && isPrivateAddress(url.hostname)) {
      throw blocked(`refused to fetch ${url.hostname}: private address`);
    }
    const headers: Record<string, string> = trusted ? { authorization: `Bearer ${opts.token}` } : {};
    const res = await get(url, headers, opts.signal, !trusted && !opts.allowPrivateAddresses);
    const status = res.statusCode ?? 0;

    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      url = new URL(res.headers.location, url);
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw failFor(res);
    }
    const type = (res.headers["content-type"] ?? "").toLowerCase();
    if (type.startsWith("text/html") && !(opts.expectedMimeType ?? "").toLowerCase().startsWith("text/html")) {
      res.destroy();
      throw new PlatformValidationError(
        "slack",
        "not_a_file",
        "Slack answered with an HTML sign-in page instead of the file: the bot token needs the files:read scope",
      );
    }
    const length = Number(res.headers["content-length"]);
    if (Number.isFinite(length) && length > opts.maxBytes) {
      res.destroy();
      throw new PlatformValidationError("slack", "too_large", `file is ${length} bytes, more than ${opts.maxBytes}`);
    }
    return readCapped(res, opts.maxBytes, opts.signal);
  }
  throw new PlatformValidationError("slack", "invalid", `file download: more than ${MAX_DOWNLOAD_REDIRECTS} redirects`);
}
