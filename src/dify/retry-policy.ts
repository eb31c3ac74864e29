import { DifyAbortedError, DifyApiError, DifyConcurrencyLimitError, DifyConnectionError, DifyServerError, DifyTimeoutError } from "./errors.js";

/** Socket errors raised before a connection existed: the request never left this host. */
const NEVER_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

/**
 * What a failed question means for Dify's books:
 * - `not-received`: Dify cannot have stored it (no connection was made; the app's concurrency limit refused it
 *   before any row was written). Asking again is safe.
 * - `unknown`: Dify may have stored it and may still be answering (a timeout before the response headers, a 5xx:
 *   Dify's controller turns late failures into 500 after the message row exists, a proxy cuts a request Dify
 *   already took). Asking again blindly could put the question twice into the conversation: look first.
 * - `final`: a refusal that asking again does not change (bad request, quota, auth, abort).
 */
export type DifyFailureFate = "not-received" | "unknown" | "final";

export function fateOfDifyFailure(err: unknown): DifyFailureFate {
  if (err instanceof DifyAbortedError) return "final";
  if (err instanceof DifyConcurrencyLimitError) return "not-received";
  if (err instanceof DifyConnectionError) return neverConnected(err) ? "not-received" : "unknown";
  if (err instanceof DifyTimeoutError || err instanceof DifyServerError) return "unknown";
  // 408 (the proxy gave up reading the body) and 425 (too early) mean the request was not processed.
  if (err instanceof DifyApiError) return err.status === 408 || err.status === 425 ? "not-received" : "final";
  return "final";
}

function neverConnected(err: DifyConnectionError): boolean {
  for (let cause: unknown = err.cause, depth = 0; cause && depth < 4; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && NEVER_CONNECTED.has(code)) return true;
  }
  return false;
}

/** Exponential backoff with full jitter, at least what the server asked for. */
export function backoffMs(attempt: number, opts: { baseMs?: number; maxMs?: number; retryAfterMs?: number; random?: () => number } = {}): number {
  const base = opts.baseMs ?? 500;
  const max = opts.maxMs ?? 15_000;
  const exp = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exp / 2 + (opts.random ?? Math.random)() * (exp / 2));
  return Math.max(jittered, opts.retryAfterMs ?? 0);
}
