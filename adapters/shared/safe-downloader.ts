import { lookup as dnsLookup } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { PlatformError, PlatformNotFoundError, PlatformPermissionError, PlatformValidationError } from "../../src/contracts/errors.js";
import type { InboundAttachment, PlatformId } from "../../src/contracts/messages.js";
import { BLOCKED_ADDRESS_CODE, guardedLookup, isPublicAddress } from "./address-check.js";
import { classifyHost, type DownloadPolicy, type HostKind } from "./download-policy.js";
import { DEFAULT_DOWNLOAD_TIMEOUTS, type DownloadClock, type DownloadTimeouts, startDownloadClock } from "./download-timeouts.js";

/** Redirects followed before giving up; Slack's file links take one or two. */
const MAX_DOWNLOAD_REDIRECTS = 5;

/** Injected settings, with documented defaults. */
export interface SafeDownloadOptions extends Partial<DownloadTimeouts> {
  /** Name resolution for every hop. @defaultValue node:dns lookup */
  readonly lookup?: LookupFunction;
  /**
   * Skip the private-address check on every host. Never in production: for tests whose "other hosts" can
   * only live on 127.0.0.1. The token rules still hold. @defaultValue false
   */
  readonly allowPrivateAddresses?: boolean;
}

type DownloadableFile = Pick<InboundAttachment, "ref" | "mimeType" | "sizeBytes">;
interface DownloadLimits {
  readonly signal: AbortSignal;
  readonly maxBytes: number;
}

/** Fetches one attachment under a `DownloadPolicy`; the shape of `ChatPlatform.downloadAttachment`. */
export type SafeDownloader = (file: DownloadableFile, limits: DownloadLimits) => Promise<Uint8Array>;

interface Context {
  readonly policy: DownloadPolicy;
  readonly resolve: LookupFunction;
  readonly checkedResolve: LookupFunction;
  readonly timeouts: DownloadTimeouts;
  readonly allowPrivateAddresses: boolean;
}

/**
 * The one download path of every adapter, on node:http(s) because its `lookup` hook is where the address
 * check has to sit (fetch offers no such hook without a separate undici dispatcher):
 * - the first URL must be a file host or the API host; redirects are followed by hand, each hop checked again;
 * - the token goes to the file hosts and the API host only, never to another host a redirect names;
 * - every host but the API host must resolve to public addresses only, checked at connect time;
 * - the size is capped by the declared size, by Content-Length and while streaming;
 * - an HTML page where a file was expected (Slack's sign-in page, status 200) is not a file;
 * - an overall deadline and an idle timeout, on timers owned here.
 */
export function createSafeDownloader(policy: DownloadPolicy, options: SafeDownloadOptions = {}): SafeDownloader {
  const resolve = options.lookup ?? (dnsLookup as LookupFunction);
  const ctx: Context = {
    policy,
    resolve,
    checkedResolve: guardedLookup(resolve),
    timeouts: {
      deadlineMs: options.deadlineMs ?? DEFAULT_DOWNLOAD_TIMEOUTS.deadlineMs,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUTS.idleTimeoutMs,
    },
    allowPrivateAddresses: options.allowPrivateAddresses ?? false,
  };
  return (file, limits) => download(ctx, file, limits);
}

async function download(ctx: Context, file: DownloadableFile, limits: DownloadLimits): Promise<Uint8Array> {
  const { platform } = ctx.policy;
  if (file.sizeBytes > limits.maxBytes) throw tooLarge(platform, limits.maxBytes);
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(callerAbortReason(platform, limits.signal.reason));
  if (limits.signal.aborted) onCallerAbort();
  else limits.signal.addEventListener("abort", onCallerAbort, { once: true });
  const clock = startDownloadClock(ctx.timeouts, (why) => controller.abort(new PlatformError(platform, `file download ${why}`)));
  try {
    return await follow(ctx, file, limits.maxBytes, controller.signal, clock);
  } catch (err) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw err;
  } finally {
    clock.stop();
    limits.signal.removeEventListener("abort", onCallerAbort);
  }
}

async function follow(ctx: Context, file: DownloadableFile, maxBytes: number, signal: AbortSignal, clock: DownloadClock): Promise<Uint8Array> {
  const { policy } = ctx;
  let url = parseUrl(policy.platform, file.ref);
  for (let hop = 0; ; hop += 1) {
    signal.throwIfAborted();
    const kind = vetHop(policy, url, hop === 0);
    const checkAddress = !ctx.allowPrivateAddresses && kind !== "api";
    const literal = url.hostname.replace(/^\[|\]$/g, "");
    // Node connects to an IP literal without calling `lookup`: judge it here (no name, so nothing to rebind).
    if (checkAddress && isIP(literal) !== 0 && !isPublicAddress(literal)) throw blocked(policy.platform, `${url.hostname} is a private or reserved address`);
    const token = kind !== "other" ? policy.bearerToken : undefined;
    const res = await get(ctx, url, token, checkAddress ? ctx.checkedResolve : ctx.resolve, signal);
    clock.touch();
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location !== undefined) {
      res.destroy();
      if (hop === MAX_DOWNLOAD_REDIRECTS)
        throw new PlatformValidationError(policy.platform, "invalid", `file download: more than ${MAX_DOWNLOAD_REDIRECTS} redirects`);
      url = parseUrl(policy.platform, location, url);
      continue;
    }
    return readBody(policy, res, file, maxBytes, clock);
  }
}

function parseUrl(platform: PlatformId, raw: string, base?: URL): URL {
  try {
    return new URL(raw, base);
  } catch {
    throw new PlatformValidationError(platform, "invalid", base ? "file download: unreadable redirect" : "attachment reference is not a URL");
  }
}

/** Which hosts a hop may go to, before any connection is made. */
function vetHop(policy: DownloadPolicy, url: URL, isFirst: boolean): HostKind {
  if (url.protocol !== "https:" && url.protocol !== "http:") throw blocked(policy.platform, `refused a ${url.protocol} URL`);
  if (url.username !== "" || url.password !== "") throw blocked(policy.platform, "refused a URL with credentials");
  const kind = classifyHost(policy, url);
  if (kind === "other" && (isFirst || policy.redirects === "file-hosts")) {
    throw blocked(policy.platform, `refused to fetch from ${url.hostname}: not a ${policy.platform} file host`);
  }
  return kind;
}

function get(ctx: Context, url: URL, token: string | undefined, lookup: LookupFunction, signal: AbortSignal): Promise<IncomingMessage> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const headers: Record<string, string> = token !== undefined ? { authorization: `Bearer ${token}` } : {};
  return new Promise((resolve, reject) => {
    // agent: false: a fresh socket per hop, so no pooled socket opened under other rules is ever reused.
    const req = send(url, { method: "GET", headers, signal, lookup, agent: false }, resolve);
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === BLOCKED_ADDRESS_CODE) reject(blocked(ctx.policy.platform, `refused to fetch from ${url.hostname}: ${err.message}`));
      else reject(new PlatformError(ctx.policy.platform, `file download failed (${err.code ?? err.name})`, { cause: err }));
    });
    req.end();
  });
}

async function readBody(policy: DownloadPolicy, res: IncomingMessage, file: DownloadableFile, maxBytes: number, clock: DownloadClock): Promise<Uint8Array> {
  const refusal = statusFailure(policy, res.statusCode ?? 0) ?? headerFailure(policy, res, file, maxBytes);
  if (refusal) {
    res.destroy();
    throw refusal;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      clock.touch();
      total += chunk.length;
      if (total > maxBytes) throw tooLarge(policy.platform, maxBytes);
      chunks.push(chunk);
    }
  } catch (err) {
    res.destroy();
    if (err instanceof PlatformError) throw err;
    throw new PlatformError(policy.platform, "file download interrupted", { cause: err });
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

function statusFailure(policy: DownloadPolicy, status: number): PlatformError | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 404 || status === 410) return new PlatformNotFoundError(policy.platform, `file download: HTTP ${status} (a signed URL may have expired)`);
  if (status === 401 || status === 403) return new PlatformPermissionError(policy.platform, "file download", policy.permissionScope);
  return new PlatformError(policy.platform, `file download: HTTP ${status}`);
}

/** An HTML page where the platform reported another type is a sign-in or error page; a declared size past the cap is refused unread. */
function headerFailure(policy: DownloadPolicy, res: IncomingMessage, file: DownloadableFile, maxBytes: number): PlatformError | undefined {
  const type = (res.headers["content-type"] ?? "").toLowerCase();
  if (type.startsWith("text/html") && !file.mimeType.toLowerCase().startsWith("text/html")) {
    return new PlatformValidationError(policy.platform, "not_a_file", `file download returned an HTML page instead of the file: ${policy.htmlPageMeaning}`);
  }
  const declared = Number(res.headers["content-length"]);
  return Number.isFinite(declared) && declared > maxBytes ? tooLarge(policy.platform, maxBytes) : undefined;
}

/**
 * As with fetch, a caller that aborts with a reason of its own gets that reason back; the anonymous default
 * (a DOMException) becomes a PlatformError so the core still only sees the contract's errors.
 */
function callerAbortReason(platform: PlatformId, reason: unknown): unknown {
  return reason instanceof DOMException ? new PlatformError(platform, "file download aborted", { cause: reason }) : reason;
}

const blocked = (platform: PlatformId, message: string) => new PlatformValidationError(platform, "blocked_host", message);
const tooLarge = (platform: PlatformId, maxBytes: number) => new PlatformValidationError(platform, "too_large", `file is larger than ${maxBytes} bytes`);
