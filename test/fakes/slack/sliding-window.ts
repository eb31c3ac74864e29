/**
 * Slack's rate tiers as the fake enforces them. Without `refill`: at most `limit` calls in any sliding `windowMs`.
 * With `refill: "continuous"`: a bucket of `limit` calls that gets one back every `windowMs / limit` (Slack
 * publishes per-minute figures with "bursts tolerated" and no algorithm; a bucket is the reading that lets a
 * minute's calls be spent in a burst and then steadily, measured by others as "a bucket of about 25 with a leak of
 * 1/s" for chat.postMessage, RamblingCookieMonster/PSSlack#52).
 */
export interface FakeRateTier {
  readonly limit: number;
  readonly windowMs: number;
  /** "workspace": one window per team and method (Slack's tiers); "channel": per team, channel and method. */
  readonly scope: "workspace" | "channel";
  readonly refill?: "continuous";
}

export const DEFAULT_FAKE_SLACK_TIERS: Readonly<Record<string, FakeRateTier>> = {
  "chat.update": { limit: 50, windowMs: 60_000, scope: "workspace", refill: "continuous" },
  "chat.startStream": { limit: 20, windowMs: 60_000, scope: "workspace", refill: "continuous" },
  "chat.stopStream": { limit: 20, windowMs: 60_000, scope: "workspace", refill: "continuous" },
  "chat.appendStream": { limit: 100, windowMs: 60_000, scope: "workspace", refill: "continuous" },
  // "About one per second per channel, short bursts allowed", modelled as a bucket of 60 refilling 1/s per channel.
  "chat.postMessage": { limit: 60, windowMs: 60_000, scope: "channel", refill: "continuous" },
};

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();
  /** Refilling tiers: when the bucket will be full again if nothing more is spent (GCRA's arrival time). */
  private readonly fullAt = new Map<string, number>();

  /** Records a call when allowed; otherwise returns how long until the tier has room for it. */
  take(key: string, tier: FakeRateTier, nowMs: number): { ok: true } | { ok: false; retryAfterMs: number } {
    if (tier.refill === "continuous") return this.takeToken(key, tier, nowMs);
    const recent = (this.hits.get(key) ?? []).filter((t) => t > nowMs - tier.windowMs);
    if (recent.length >= tier.limit) {
      this.hits.set(key, recent);
      return { ok: false, retryAfterMs: (recent[0] as number) + tier.windowMs - nowMs };
    }
    recent.push(nowMs);
    this.hits.set(key, recent);
    return { ok: true };
  }

  private takeToken(key: string, tier: FakeRateTier, nowMs: number): { ok: true } | { ok: false; retryAfterMs: number } {
    const interval = tier.windowMs / tier.limit;
    const tat = Math.max(this.fullAt.get(key) ?? 0, nowMs);
    const over = tat - nowMs + interval - tier.limit * interval;
    if (over > 0) return { ok: false, retryAfterMs: over };
    this.fullAt.set(key, tat + interval);
    return { ok: true };
  }

  reset(): void {
    this.hits.clear();
    this.fullAt.clear();
  }
}
