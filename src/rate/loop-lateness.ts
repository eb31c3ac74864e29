import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";

/**
 * How late this process's event loop has been running lately: the p99 of its delay over the last sampling
 * period. A busy worker holds a granted platform call for about that long before it leaves the machine, so
 * the rate budgets widen their safety margin by it (`effectiveWindowMs`) instead of trusting a fixed one.
 */
export class LoopLateness {
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;
  private lastP99Ms = 0;

  constructor(periodMs = 1_000) {
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), periodMs);
    this.timer.unref();
  }

  /** p99 event-loop delay of the last period, in ms (0 before the first period ends). */
  get p99Ms(): number {
    return this.lastP99Ms;
  }

  /** Closes the period now (the timer does it every period). */
  sample(): void {
    // The histogram reports nanoseconds and includes the resolution itself as its floor.
    this.lastP99Ms = this.histogram.count > 0 ? Math.max(0, this.histogram.percentile(99) / 1e6 - 10) : 0;
    this.histogram.reset();
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
