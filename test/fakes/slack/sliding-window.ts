/** Slack's rate tiers as the fake enforces them: at most `limit` calls in any sliding `windowMs`. */
export interface FakeRateTier {
  readonly limit: number;
  readonly windowMs: number;
  /** "workspace": one window per team and method (Slack's tiers); "channel": per team, channel and method. */
  readonly scope: "workspace" | "channel";
}

export const DEFAULT_FAKE_SLACK_TIERS: Readonly<Record<string, FakeRateTier>> = {
  "chat.update": { limit: 50, windowMs: 60_000, scope: "workspace" },
  "chat.startStream": { limit: 20, windowMs: 60_000, scope: "workspace" },
  "chat.stopStream": { limit: 20, windowMs: 60_000, scope: "workspace" },
  "chat.appendStream": { limit: 100, windowMs: 60_000, scope: "workspace" },
  // "About one per second per channel, short bursts allowed", modelled as 60 in any 60 s per channel.
  "chat.postMessage": { limit: 60, windowMs: 60_000, scope: "channel" },
};

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  /** Records a call when allowed; otherwise returns how long until the oldest call leaves the window. */
  take(key: string, tier: FakeRateTier, nowMs: number): { ok: true } | { ok: false; retryAfterMs: number } {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > nowMs - tier.windowMs);
    if (recent.length >= tier.limit) {
      this.hits.set(key, recent);
      return { ok: false, retryAfterMs: (recent[0] as number) + tier.windowMs - nowMs };
    }
    recent.push(nowMs);
    this.hits.set(key, recent);
    return { ok: true };
  }

  reset(): void {
    this.hits.clear();
  }
}
