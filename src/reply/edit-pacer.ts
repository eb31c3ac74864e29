import type { BudgetUsage } from "../rate/rate-budget-store.js";

/**
 * How long a stream waits between routine updates. A budget window is shared by every active stream, and a
 * burst spent early starves the rest of the answer (and everyone else's), so each stream spreads its fair
 * share of the budget over the time it is expected to keep streaming:
 *
 *   capacity over the next T ms ≈ max(free slots now, routine slots per window × T / window)
 *   interval = T / (capacity / active streams)
 *
 * T is the expected remaining duration of this answer: the typical duration learned from recent answers
 * minus what has elapsed, and never less than half of the elapsed time (an answer that has run long will
 * likely run on). Slots for first and final texts are reserved by the budget itself.
 */
export function routineIntervalMs(opts: {
  readonly usage: readonly BudgetUsage[];
  readonly elapsedMs: number;
  readonly expectedDurationMs: number;
  readonly minIntervalMs: number;
  readonly maxIntervalMs?: number;
}): number {
  const remainingMs = Math.max(opts.expectedDurationMs - opts.elapsedMs, opts.elapsedMs / 2, 1_000);
  let interval = opts.minIntervalMs;
  for (const u of opts.usage) {
    const active = Math.max(1, u.active);
    const reserve = Math.min(Math.floor(u.limit * 0.4), active);
    const routinePerWindow = Math.max(1, u.limit - reserve);
    const freeNow = Math.max(0, routinePerWindow - u.used);
    const capacity = Math.max(freeNow, (routinePerWindow * remainingMs) / u.windowMs);
    const share = Math.max(capacity / active, 0.5);
    interval = Math.max(interval, remainingMs / share);
  }
  return Math.min(interval, opts.maxIntervalMs ?? 30_000);
}

/** Typical answer duration, learned per process as an exponentially weighted mean. */
export class DurationEstimator {
  private meanMs: number;

  constructor(initialMs = 8_000, private readonly weight = 0.2) {
    this.meanMs = initialMs;
  }

  observe(durationMs: number): void {
    if (durationMs > 0 && Number.isFinite(durationMs)) this.meanMs = this.meanMs * (1 - this.weight) + durationMs * this.weight;
  }

  expectedMs(): number {
    return this.meanMs;
  }
}
