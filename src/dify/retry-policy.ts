import { DifyAbortedError, DifyApiError, DifyConcurrencyLimitError, DifyConnectionError, DifyServerError, DifyTimeoutError } from "./errors.js";

/**
 * The one rule for what is worth asking Dify again. Only errors raised before Dify accepted the question
 * qualify: once an answer has started, re-asking would put the question twice into the conversation.
 */
export function isTransientDifyError(err: unknown): boolean {
  if (err instanceof DifyAbortedError) return false;
  if (err instanceof DifyConnectionError || err instanceof DifyTimeoutError) return true;
  if (err instanceof DifyConcurrencyLimitError || err instanceof DifyServerError) return true;
  if (err instanceof DifyApiError) return err.status === 408 || err.status === 409 || err.status === 425;
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
