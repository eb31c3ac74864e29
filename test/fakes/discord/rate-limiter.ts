/** A fixed window: `limit` requests, then 429 until `windowMs` after the window's first request. */
export interface WindowLimit {
  readonly limit: number;
  readonly windowMs: number;
}

export interface FakeRateLimits {
  /** Creating and editing messages share one bucket per channel. @defaultValue 5 per 5 s */
  readonly channelMessages: WindowLimit;
  /** Every request except interaction callbacks. @defaultValue 50 per 1 s */
  readonly global: WindowLimit;
}

export const DEFAULT_FAKE_RATE_LIMITS: FakeRateLimits = {
  channelMessages: { limit: 5, windowMs: 5_000 },
  global: { limit: 50, windowMs: 1_000 },
};

/** The bucket hash Discord would send for the message routes (shared by POST and PATCH, like Discord's). */
export const MESSAGE_BUCKET_HASH = "f4ke0b0c4e7a11c7";

export type RateDecision =
  | { readonly allowed: true; readonly headers: Record<string, string> }
  | { readonly allowed: false; readonly status: 429; readonly headers: Record<string, string>; readonly body: unknown };

interface Window {
  startedAt: number;
  count: number;
}

/** Discord-like accounting: realistic `x-ratelimit-*` headers, 429s with `retry_after` and `Retry-After`. */
export class FakeRateLimiter {
  readonly #buckets = new Map<string, Window>();
  #global: Window = { startedAt: 0, count: 0 };

  constructor(private readonly limits: FakeRateLimits) {}

  /** Counts one request; `bucketKey` is set for routes with a per-channel bucket. */
  check(bucketKey: string | null, isInteraction: boolean, now = Date.now()): RateDecision {
    if (!isInteraction) {
      const g = this.#advance(this.#global, this.limits.global, now);
      this.#global = g;
      if (g.count >= this.limits.global.limit) {
        return this.limited(g.startedAt + this.limits.global.windowMs - now, true);
      }
      g.count++;
    }
    if (bucketKey === null) return { allowed: true, headers: {} };
    const limit = this.limits.channelMessages;
    const w = this.#advance(this.#buckets.get(bucketKey), limit, now);
    this.#buckets.set(bucketKey, w);
    const resetAfterMs = w.startedAt + limit.windowMs - now;
    if (w.count >= limit.limit) return this.limited(resetAfterMs, false);
    w.count++;
    return { allowed: true, headers: bucketHeaders(limit.limit, limit.limit - w.count, resetAfterMs, now) };
  }

  /** A 429 answer; used for enforced limits and injected ones alike. */
  limited(retryAfterMs: number, global: boolean, now = Date.now()): RateDecision & { allowed: false } {
    const retryAfterS = Math.max(0.001, retryAfterMs / 1000);
    const headers: Record<string, string> = {
      "retry-after": String(Math.ceil(retryAfterS)),
      "x-ratelimit-scope": global ? "global" : "user",
    };
    if (global) headers["x-ratelimit-global"] = "true";
    else Object.assign(headers, bucketHeaders(this.limits.channelMessages.limit, 0, retryAfterMs, now));
    return {
      allowed: false,
      status: 429,
      headers,
      body: { message: "You are being rate limited.", retry_after: Number(retryAfterS.toFixed(3)), global, ...(global ? {} : { code: 0 }) },
    };
  }

  #advance(w: Window | undefined, limit: WindowLimit, now: number): Window {
    return !w || now - w.startedAt >= limit.windowMs ? { startedAt: now, count: 0 } : w;
  }
}

function bucketHeaders(limit: number, remaining: number, resetAfterMs: number, now: number): Record<string, string> {
  return {
    "x-ratelimit-limit": String(limit),
    "x-ratelimit-remaining": String(Math.max(0, remaining)),
    "x-ratelimit-reset": ((now + resetAfterMs) / 1000).toFixed(3),
    "x-ratelimit-reset-after": (resetAfterMs / 1000).toFixed(3),
    "x-ratelimit-bucket": MESSAGE_BUCKET_HASH,
  };
}
