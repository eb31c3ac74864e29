import { PlatformError, type PlatformErrorCode, PlatformRateLimitError } from "../contracts/errors.js";

/**
 * What a failed platform call calls for:
 * - `rate_limited`: the platform refused it (429); it was not performed, so it may always be sent again after
 *   the wait it asked for, which every stream sharing the budget honours;
 * - `transient`: the platform or the network failed (5xx, timeouts, resets); back off and try again, a bounded
 *   number of times;
 * - `permanent`: no retry can help (a missing permission, a revoked token, content the platform rejects, a
 *   message or channel that is gone); give up at once, tell someone, and tell the queue not to retry.
 */
export type PlatformFailure = "rate_limited" | "transient" | "permanent";

/**
 * The one table of what is worth another try. Every platform error code must be placed (the type checks it).
 */
const PLATFORM_RETRY_TABLE: Readonly<Record<PlatformErrorCode, PlatformFailure>> = {
  PLATFORM_RATE_LIMITED: "rate_limited",
  PLATFORM_UNAVAILABLE: "transient",
  PLATFORM_AUTH: "permanent",
  PLATFORM_PERMISSION: "permanent",
  PLATFORM_VALIDATION: "permanent",
  PLATFORM_NOT_FOUND: "permanent",
};

/** Errors no adapter translated (a raw socket error) count as transient: they are what networks do. */
export function classifyPlatformFailure(err: unknown): PlatformFailure {
  if (err instanceof PlatformRateLimitError) return "rate_limited";
  if (err instanceof PlatformError) return PLATFORM_RETRY_TABLE[err.code];
  return "transient";
}

export function isPermanentPlatformFailure(err: unknown): err is PlatformError {
  return err instanceof PlatformError && classifyPlatformFailure(err) === "permanent";
}

/** Tries a must-land call gets for transient failures (429s cost none: the call was not performed). */
export const MUST_LAND_ATTEMPTS = 6;

/**
 * The pause before trying again after the `failuresInARow`-th transient failure: exponential from 200 ms,
 * capped at 5 s. An error no adapter translated waits twice as long: the adapter did not recognise it, so
 * the cause is likely further away (the network) and slower to clear.
 */
export function transientRetryDelayMs(err: unknown, failuresInARow: number): number {
  return Math.min(5_000, 100 * 2 ** failuresInARow) * (err instanceof PlatformError ? 1 : 2);
}
