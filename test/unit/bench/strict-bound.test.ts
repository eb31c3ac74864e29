import { describe, expect, it } from "vitest";
import { SLACK_BUCKETS, strictBoundMs } from "../../../bench/lib/strict-bound.js";
import { answerTokens } from "../../../bench/lib/workload.js";

const same = (n: number, durationMs: number) => Array.from({ length: n }, () => ({ durationMs, tokens: durationMs / 20 }));

describe("strict display-lag bound", () => {
  it("is D/(2u) with every edit the budget allows, the first message posted with text", () => {
    // One 5 s answer, edits only: 1 post + 50 (bucket) + 4 refilled in 5 s (50/min) = 55 updates.
    const u = 1 + Math.floor(50 + (50 / 60_000) * 5_000);
    expect(strictBoundMs(same(1, 5_000), SLACK_BUCKETS, "edit")).toBeCloseTo(5_000 / (2 * u), 6);
  });

  it("shares one budget between the streams: 20 edited answers get a twentieth each", () => {
    const one = strictBoundMs(same(1, 5_000), SLACK_BUCKETS, "edit");
    const twenty = strictBoundMs(same(20, 5_000), SLACK_BUCKETS, "edit");
    // 54 edits for 20 answers: 14 get 3 and 6 get 2, plus the post each.
    expect(twenty).toBeGreaterThan(one * 10);
    expect(twenty).toBeCloseTo((14 * (5_000 / 8) + 6 * (5_000 / 6)) / 20, 6);
  });

  it("never lets a short answer spend budget that only refills after it ended", () => {
    // A 1 s answer beside a 60 s one: the refill of the long one's minute cannot show the short one.
    const short = { durationMs: 1_000, tokens: 50 };
    const long = { durationMs: 60_000, tokens: 3_000 };
    const budgets = { ...SLACK_BUCKETS, update: { capacity: 2, perMs: 50 / 60_000 } };
    const together = strictBoundMs([short, long], budgets, "edit");
    // Short: post + at most 2 edits (bucket) → ≥ 1000/6 ms over its 50 tokens of 3,050.
    expect(together).toBeGreaterThanOrEqual((50 * (1_000 / 6)) / 3_050);
  });

  it("with both modes is no worse than either mode alone, and caps updates at one per token", () => {
    for (const n of [1, 5, 20]) {
      const answers = answerTokens("mixed", n, 1).map((t) => ({ durationMs: (t / 50) * 1000, tokens: t }));
      const both = strictBoundMs(answers, SLACK_BUCKETS, "both");
      expect(both).toBeLessThanOrEqual(strictBoundMs(answers, SLACK_BUCKETS, "edit") + 1e-9);
      expect(both).toBeLessThanOrEqual(strictBoundMs(answers, SLACK_BUCKETS, "native") + 1e-9);
    }
    const tiny = { durationMs: 100, tokens: 5 };
    expect(strictBoundMs([tiny], SLACK_BUCKETS, "edit")).toBeCloseTo(100 / (2 * 5), 6);
  });
});

describe("benchmark workloads", () => {
  it("draws the same mixed lengths for a seed, between 1 s and 60 s, most of them short", () => {
    const a = answerTokens("mixed", 200, 1);
    expect(answerTokens("mixed", 200, 1)).toEqual(a);
    const seconds = a.map((t) => t / 50);
    expect(Math.min(...seconds)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...seconds)).toBeLessThanOrEqual(60);
    const sorted = [...seconds].sort((x, y) => x - y);
    expect(sorted[100]).toBeLessThan(15);
    expect(new Set(a).size).toBeGreaterThan(100);
    expect(answerTokens("uniform", 3, 1)).toEqual([250, 250, 250]);
  });
});
