import { describe, expect, it } from "vitest";
import { DurationEstimator } from "../../../src/rate/duration-stats.js";
import type { BudgetUsage } from "../../../src/rate/rate-budget-store.js";
import { routineIntervalMs } from "../../../src/reply/edit-pacer.js";
import { createRandom } from "./markdown-samples.js";

const budget = (patch: Partial<BudgetUsage> = {}): BudgetUsage => ({ key: "edit:C1", limit: 30, windowMs: 60_000, used: 0, active: 1, ...patch });

const interval = (
  usage: readonly BudgetUsage[],
  patch: { elapsedMs?: number; expectedDurationMs?: number; minIntervalMs?: number; maxIntervalMs?: number } = {},
) => routineIntervalMs({ usage, elapsedMs: 0, expectedDurationMs: 8_000, minIntervalMs: 250, ...patch });

/**
 * `streams` answers start together and share one budget window; each waits the interval the pacer gives it
 * after every update, and (as the shared budget does) an update past the window's routine slots is refused.
 * Returns the update times.
 */
function simulate(opts: { streams: number; limit: number; expectedDurationMs: number; runMs: number }): number[] {
  const next = Array.from({ length: opts.streams }, () => 0);
  const times: number[] = [];
  const routineSlots = opts.limit - Math.min(Math.floor(opts.limit * 0.4), opts.streams);
  for (;;) {
    const i = next.indexOf(Math.min(...next));
    const now = next[i] as number;
    if (now >= opts.runMs) return times;
    if (now > 0) {
      if (times.length >= routineSlots) {
        next[i] = Number.POSITIVE_INFINITY; // refused until the window moves on, past this run
        continue;
      }
      times.push(now);
    }
    const usage = [budget({ limit: opts.limit, used: times.length, active: opts.streams })];
    next[i] = now + routineIntervalMs({ usage, elapsedMs: now, expectedDurationMs: opts.expectedDurationMs, minIntervalMs: 100 });
  }
}

describe("routineIntervalMs", () => {
  it("is the minimum interval when there is no budget to share", () => {
    expect(interval([])).toBe(250);
  });

  it("never goes below minIntervalMs, nor above maxIntervalMs", () => {
    const r = createRandom(42);
    for (let k = 0; k < 2_000; k++) {
      const limit = r.int(1, 100);
      const usage = Array.from({ length: r.int(0, 3) }, () =>
        budget({ limit, used: r.int(0, limit + 5), active: r.int(0, 50), windowMs: r.pick([1_000, 5_000, 60_000]) }),
      );
      const min = r.int(50, 2_000);
      const max = r.pick([undefined, r.int(min, 60_000)]);
      const got = interval(usage, { elapsedMs: r.int(0, 120_000), expectedDurationMs: r.int(0, 60_000), minIntervalMs: min, maxIntervalMs: max });
      expect(got).toBeGreaterThanOrEqual(min);
      expect(got).toBeLessThanOrEqual(max ?? 30_000);
    }
  });

  it("asks for a stream's first progress update within two seconds, even when its share is below one update", () => {
    // 20 streams on 30 slots with 25 used: the share would put the next update after an 8 s answer's end.
    const scarce = [budget({ used: 25, active: 20 })];
    expect(interval(scarce)).toBeGreaterThan(4_000);
    expect(routineIntervalMs({ usage: scarce, elapsedMs: 0, expectedDurationMs: 8_000, minIntervalMs: 250, progressShown: false })).toBe(2_000);
    // A short expected answer: half of what is left.
    expect(routineIntervalMs({ usage: scarce, elapsedMs: 0, expectedDurationMs: 3_000, minIntervalMs: 250, progressShown: false })).toBe(1_500);
    // Once progress was shown, the share paces it again; a floor above two seconds still holds.
    expect(routineIntervalMs({ usage: scarce, elapsedMs: 0, expectedDurationMs: 8_000, minIntervalMs: 250, progressShown: true })).toBe(interval(scarce));
    expect(routineIntervalMs({ usage: scarce, elapsedMs: 0, expectedDurationMs: 8_000, minIntervalMs: 2_500, progressShown: false })).toBe(2_500);
  });

  it("asks for the first progress within a second while the share allows every stream one update", () => {
    // 20 streams on 60 slots with 5 used: 35 free beside the finals' reserve of 20, more than one each.
    const roomy = [budget({ limit: 60, used: 5, active: 20 })];
    expect(routineIntervalMs({ usage: roomy, elapsedMs: 0, expectedDurationMs: 8_000, minIntervalMs: 250, progressShown: false })).toBe(1_000);
  });

  it("grows with the number of active streams", () => {
    const byActive = [1, 2, 4, 8, 16, 32].map((active) => interval([budget({ active })]));
    for (let i = 1; i < byActive.length; i++) expect(byActive[i]).toBeGreaterThan(byActive[i - 1] as number);
  });

  it("grows as the window's budget gets used up", () => {
    const byUsed = [0, 10, 20, 25, 29, 30, 40].map((used) => interval([budget({ used, active: 2 })]));
    for (let i = 1; i < byUsed.length; i++) expect(byUsed[i]).toBeGreaterThanOrEqual(byUsed[i - 1] as number);
    expect(byUsed.at(-1)).toBeGreaterThan(byUsed[0] as number);
  });

  it("spreads a free budget over the answer's expected remaining duration", () => {
    // 29 routine slots (one reserved for the final text), 8 s expected: 29 updates and the final split the 8 s.
    expect(interval([budget()])).toBeCloseTo(8_000 / 30, 6);
    // Halfway through, the remaining 4 s get the remaining 15 slots and the final.
    expect(interval([budget({ used: 14 })], { elapsedMs: 4_000 })).toBeCloseTo(4_000 / 16, 6);
    // A longer expected answer is paced more slowly from the start.
    expect(interval([budget()], { expectedDurationMs: 20_000 })).toBeGreaterThan(interval([budget()], { expectedDurationMs: 8_000 }));
  });

  it("assumes an answer that has run past its expected duration will run on for a quarter as long again", () => {
    const late = interval([budget({ used: 29 })], { elapsedMs: 30_000, expectedDurationMs: 8_000, maxIntervalMs: 60_000 });
    // No free slot: 7.5 s more are expected, at the window's routine rate (29 per 60 s) that is 3.625 updates.
    expect(late).toBeCloseTo(7_500 / (29 * (7_500 / 60_000) + 1), 6);
  });

  it("keeps its pace near the expected end instead of slowing down before the answer is due to finish", () => {
    // 6 s into an 8 s answer with 3 of 29 routine slots left: the last 2 s get them and the final.
    expect(interval([budget({ used: 26 })], { elapsedMs: 6_000 })).toBeCloseTo(2_000 / 4, 6);
    // Half a second before the end, the remaining time is taken as a quarter of what has elapsed (1.875 s).
    expect(interval([budget({ used: 26 })], { elapsedMs: 7_500 })).toBeCloseTo(1_875 / 4, 6);
  });

  it("is set by the most constrained of several budgets", () => {
    const loose = budget({ key: "workspace", limit: 100 });
    const tight = budget({ key: "channel", limit: 10, used: 9 });
    expect(interval([loose, tight])).toBe(interval([tight]));
    expect(interval([loose, tight])).toBeGreaterThan(interval([loose]));
  });

  it("keeps one stream within its routine slots and uses them across the whole expected duration", () => {
    const times = simulate({ streams: 1, limit: 30, expectedDurationMs: 8_000, runMs: 8_000 });
    expect(times.length).toBeLessThanOrEqual(29);
    expect(times.length).toBeGreaterThanOrEqual(25);
    // No early burst: the first half of the answer gets no more than half the slots, and updates go on to the end.
    expect(times.filter((t) => t < 4_000).length).toBeLessThanOrEqual(15);
    expect(times.at(-1)).toBeGreaterThan(7_000);
    // Near the expected end it slows down, keeping slots for an answer that runs on.
    expect(times.length).toBeLessThan(29);
  });

  it("keeps streams sharing a window within the window's routine slots", () => {
    for (const streams of [2, 5, 12]) {
      const times = simulate({ streams, limit: 30, expectedDurationMs: 8_000, runMs: 8_000 });
      expect(times.length, `${streams} streams`).toBeLessThanOrEqual(30 - Math.min(12, streams));
      expect(times.length, `${streams} streams`).toBeGreaterThan(10);
    }
  });

  it("does not spend the whole window early when answers run longer than a window", () => {
    const times = simulate({ streams: 3, limit: 30, expectedDurationMs: 60_000, runMs: 60_000 });
    expect(times.length).toBeLessThanOrEqual(27);
    expect(times.filter((t) => t >= 30_000).length).toBeGreaterThanOrEqual(10);
  });
});

describe("DurationEstimator", () => {
  it("starts at its initial estimate", () => {
    expect(new DurationEstimator().expectedMs()).toBe(8_000);
    expect(new DurationEstimator(5_000).expectedMs()).toBe(5_000);
  });

  it("moves toward observed durations as an exponentially weighted mean", () => {
    const e = new DurationEstimator(8_000, 0.2);
    e.observe(18_000);
    expect(e.expectedMs()).toBeCloseTo(10_000, 6);
    e.observe(10_000);
    expect(e.expectedMs()).toBeCloseTo(10_000, 6);
    for (let i = 0; i < 100; i++) e.observe(3_000);
    expect(e.expectedMs()).toBeCloseTo(3_000, 0);
  });

  it("ignores durations that are not positive finite numbers", () => {
    const e = new DurationEstimator(8_000);
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) e.observe(bad);
    expect(e.expectedMs()).toBe(8_000);
  });
});
