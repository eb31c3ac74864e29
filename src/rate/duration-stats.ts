/** How long answers typically stream (first text to final), which paces routine updates. */
export interface DurationStats {
  expectedMs(): number;
  observe(durationMs: number): void;
}

/**
 * Typical answer duration, learned in memory as an exponentially weighted mean (tests, single processes).
 * @internal The in-memory DurationStats the streamer tests pace with; production keeps the statistics in Redis (RedisDurationStats).
 */
export class DurationEstimator implements DurationStats {
  private meanMs: number;

  constructor(
    initialMs = 8_000,
    private readonly weight = 0.2,
  ) {
    this.meanMs = initialMs;
  }

  observe(durationMs: number): void {
    if (durationMs > 0 && Number.isFinite(durationMs)) this.meanMs = this.meanMs * (1 - this.weight) + durationMs * this.weight;
  }

  expectedMs(): number {
    return this.meanMs;
  }
}
