import { afterEach, describe, expect, it } from "vitest";
import { LoopLateness } from "../../../src/rate/loop-lateness.js";
import { effectiveWindowMs } from "../../../src/rate/rate-budget-store.js";

const monitors: LoopLateness[] = [];
afterEach(() => {
  for (const m of monitors.splice(0)) m.stop();
});

/** Keeps the event loop busy, as a worker holding too many answers does. */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe("budget margin that follows event-loop lateness", () => {
  it("measures a loop that ran late, and forgets it once the loop is on time again", async () => {
    const lateness = new LoopLateness(60_000);
    monitors.push(lateness);
    await new Promise((r) => setTimeout(r, 30));
    blockFor(150);
    await new Promise((r) => setTimeout(r, 30));
    lateness.sample();
    expect(lateness.p99Ms).toBeGreaterThanOrEqual(100);
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 20));
    lateness.sample();
    expect(lateness.p99Ms).toBeLessThan(100);
  });

  it("widens a budget's window by twice the lateness, never below the fixed margin, at most a second", () => {
    expect(effectiveWindowMs(1_000)).toBe(1_100);
    expect(effectiveWindowMs(1_000, 20)).toBe(1_100);
    expect(effectiveWindowMs(1_000, 300)).toBe(1_600);
    expect(effectiveWindowMs(60_000, 0)).toBe(61_000);
    expect(effectiveWindowMs(1_000, 5_000)).toBe(2_000);
  });
});
