import { lookup as dnsLookup } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { InboundAttachment } from "../../src/contracts/messages.js";
import { BLOCKED_ADDRESS_CODE, guardedLookup, isPublicAddress } from "./address-check.js";
import { classifyUrl, type DownloadFailures, type DownloadPolicy, type FetchRules, type HostKind, platformFetchRules } from "./download-policy.js";
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

/** A fetched file and the type its server declared. */
interface FetchedFile {
  readonly data: Uint8Array;
  readonly contentType: string | undefined;
}

/** Fetches one URL under `FetchRules`; `mimeType` is what the file is expected to be ("" when unknown). */
export type SafeFetcher = (url: string, limits: DownloadLimits & { readonly mimeType?: string }) => Promise<FetchedFile>;

interface Context {
  readonly rules: FetchRules;
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
  const rules = platformFetchRules(policy);
  const fetchFile = createSafeFetcher(rules, options);
  return async (file, limits) => {
    if (file.sizeBytes > limits.maxBytes) throw rules.failures.tooLarge(limits.maxBytes);
    return (await fetchFile(file.ref, { ...limits, mimeType: file.mimeType })).data;
  };
}

/** The same download path under any rules: produced files from Dify use it with Dify's origins. */
export function createSafeFetcher(rules: FetchRules, options: SafeDownloadOptions = {}): SafeFetcher {
  const resolve = options.lookup ?? (dnsLookup as LookupFunction);
  const ctx: Context = {
    rules,
    resolve,
    checkedResolve: guardedLookup(resolve),
    timeouts: {
      deadlineMs: options.deadlineMs ?? DEFAULT_DOWNLOAD_TIMEOUTS.deadlineMs,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUTS.idleTimeoutMs,
    },
    allowPrivateAddresses: options.allowPrivateAddresses ?? false,
  };
  return (url, limits) => download(ctx, url, limits.mimeType ?? "", limits);
}

async function download(ctx: Context, ref: string, mimeType: string, limits: DownloadLimits): Promise<FetchedFile> {
  const { failures } = ctx.rules;
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(callerAbortReason(failures, limits.signal.reason));
  if (limits.signal.aborted) onCallerAbort();
  else limits.signal.addEventListener("abort", onCallerAbort, { once: true });
  const clock = startDownloadClock(ctx.timeouts, (why) => controller.abort(failures.failed(`file download ${why}`)));
  try {
    return await follow(ctx, ref, mimeType, limits.maxBytes, controller.signal, clock);
  } catch (err) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw err;
  } finally {
    clock.stop();
    limits.signal.removeEventListener("abort", onCallerAbort);
  }
}

async function follow(ctx: Context, ref: string, mimeType: string, maxBytes: number, signal: AbortSignal, clock: DownloadClock): Promise<FetchedFile> {
  const { rules } = ctx;
  const { failures } = rules;
  let url = parseUrl(failures, ref);
  for (let hop = 0; ; hop += 1) {
    signal.throwIfAborted();
    const kind = vetHop(rules, url, hop === 0);
    const checkAddress = !ctx.allowPrivateAddresses && kind !== "api";
    const literal = url.hostname.replace(/^\[|\]$/g, "");
    // Node connects to an IP literal without calling `lookup`: judge it here (no name, so nothing to rebind).
    if (checkAddress && isIP(literal) !== 0 && !isPublicAddress(literal)) throw failures.blocked(`${url.hostname} is a private or reserved address`);
    const token = kind !== "other" ? rules.bearerToken : undefined;
    const res = await get(ctx, url, token, checkAddress ? ctx.checkedResolve : ctx.resolve, signal);
    clock.touch();
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location !== undefined) {
      res.destroy();
      if (hop === MAX_DOWNLOAD_REDIRECTS) throw failures.invalid(`file download: more than ${MAX_DOWNLOAD_REDIRECTS} redirects`);
      url = parseUrl(failures, location, url);
      continue;
    }
    return readBody(rules, res, mimeType, maxBytes, clock);
  }
}

function parseUrl(failures: DownloadFailures, raw: string, base?: URL): URL {
  try {
    return new URL(raw, base);
  } catch {
    throw failures.invalid(base ? "file download: unreadable redirect" : "file reference is not a URL");
  }
}

/** Which hosts a hop may go to, before any connection is made. */
function vetHop(rules: FetchRules, url: URL, isFirst: boolean): HostKind {
  if (url.protocol !== "https:" && url.protocol !== "http:") throw rules.failures.blocked(`refused a ${url.protocol} URL`);
  if (url.username !== "" || url.password !== "") throw rules.failures.blocked("refused a URL with credentials");
  const kind = classifyUrl(rules, url);
  if (kind === "other" && (isFirst || rules.redirects === "file-hosts")) {
    throw rules.failures.blocked(`refused to fetch from ${url.host}: not a ${rules.label} file host`);
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
      if (err.code === BLOCKED_ADDRESS_CODE) reject(ctx.rules.failures.blocked(`refused to fetch from ${url.hostname}: ${err.message}`));
      else reject(ctx.rules.failures.failed(`file download failed (${err.code ?? err.name})`, err));
    });
    req.end();
  });
}

async function readBody(rules: FetchRules, res: IncomingMessage, mimeType: string, maxBytes: number, clock: DownloadClock): Promise<FetchedFile> {
  const refusal = statusFailure(rules, res.statusCode ?? 0) ?? headerFailure(rules, res, mimeType, maxBytes);
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
      if (total > maxBytes) throw new TooLarge();
      chunks.push(chunk);
    }
  } catch (err) {
    res.destroy();
    if (err instanceof TooLarge) throw rules.failures.tooLarge(maxBytes);
    throw rules.failures.failed("file download interrupted", err);
  }
  return { data: new Uint8Array(Buffer.concat(chunks, total)), contentType: res.headers["content-type"] };
}

/** Thrown inside the read loop only, so the catch can tell it from a broken stream. */
class TooLarge extends Error {}

function statusFailure(rules: FetchRules, status: number): Error | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 404 || status === 410) return rules.failures.notFound(`file download: HTTP ${status} (a signed URL may have expired)`);
  if (status === 401 || status === 403) return rules.failures.denied();
  return rules.failures.failed(`file download: HTTP ${status}`);
}

/** An HTML page where another type was expected is a sign-in or error page; a declared size past the cap is refused unread. */
function headerFailure(rules: FetchRules, res: IncomingMessage, mimeType: string, maxBytes: number): Error | undefined {
  const type = (res.headers["content-type"] ?? "").toLowerCase();
  if (rules.htmlPageMeaning !== undefined && type.startsWith("text/html") && !mimeType.toLowerCase().startsWith("text/html")) {
    return rules.failures.notAFile(`file download returned an HTML page instead of the file: ${rules.htmlPageMeaning}`);
  }
  const declared = Number(res.headers["content-length"]);
  return Number.isFinite(declared) && declared > maxBytes ? rules.failures.tooLarge(maxBytes) : undefined;
}

/**
 * As with fetch, a caller that aborts with a reason of its own gets that reason back; the anonymous default
 * (a DOMException) becomes the caller's own failure, so the core still only sees its contract's errors.
 */
function callerAbortReason(failures: DownloadFailures, reason: unknown): unknown {
  return reason instanceof DOMException ? failures.failed("file download aborted", reason) : reason;
}
