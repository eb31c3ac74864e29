import { describe, expect, it } from "vitest";
import type { BudgetUsage } from "../../../src/rate/rate-budget-store.js";
import { chooseStreamMode, firstTextHoldMs } from "../../../src/reply/stream-mode.js";

const use = (key: string, limit: number, used: number, active: number): BudgetUsage => ({ key, limit, windowMs: 60_000, used, active });

/** Slack-like budgets: 20 starts and 20 stops a minute, generous appends, a per-channel edit budget. */
function usage(p: { startUsed?: number; stopUsed?: number; nativeActive?: number; appendUsed?: number; editUsed?: number; editActive?: number } = {}) {
  return {
    start: [use("start", 20, p.startUsed ?? 0, 0)],
    stop: [use("stop", 20, p.stopUsed ?? 0, 0)],
    append: [use("append", 600, p.appendUsed ?? 0, p.nativeActive ?? 0)],
    edit: [use("edit", 50, p.editUsed ?? 0, p.editActive ?? 0)],
  };
}

describe("chooseStreamMode", () => {
  it("streams natively in native mode when a start and its stop both fit", () => {
    expect(chooseStreamMode("native", usage())).toBe("native");
    expect(chooseStreamMode("native", usage({ startUsed: 19, stopUsed: 10, nativeActive: 9 }))).toBe("native");
  });

  it("edits when no start is left", () => {
    expect(chooseStreamMode("native", usage({ startUsed: 20 }))).toBe("edit");
    expect(chooseStreamMode("auto", usage({ startUsed: 25, editUsed: 50, editActive: 10 }))).toBe("edit");
  });

  it("edits when the stop budget cannot also cover the stops of native streams already running", () => {
    expect(chooseStreamMode("native", usage({ stopUsed: 20 }))).toBe("edit");
    // 5 stops left, 5 native streams still need theirs: none for a new one.
    expect(chooseStreamMode("native", usage({ stopUsed: 15, nativeActive: 5 }))).toBe("edit");
    expect(chooseStreamMode("native", usage({ stopUsed: 15, nativeActive: 4 }))).toBe("native");
  });

  it("in auto mode takes the mode that gives the new stream more updates", () => {
    // 600 free appends (+ start + stop) against 50 free edits: native.
    expect(chooseStreamMode("auto", usage())).toBe("native");
    // 10 free appends shared by 4 native streams and this one (2 + 2) against 40 edits for 3: edit.
    expect(chooseStreamMode("auto", usage({ appendUsed: 590, nativeActive: 4, editUsed: 10, editActive: 2 }))).toBe("edit");
  });

  it("streams natively in auto mode when edits are contended and appends offer each stream more", () => {
    // 20 free edits for 5 streams: 4 each.
    expect(chooseStreamMode("auto", usage({ editUsed: 30, editActive: 4 }))).toBe("native");
    expect(chooseStreamMode("auto", usage({ editUsed: 50, editActive: 1 }))).toBe("native");
  });

  it("keeps editing in auto mode when appends would offer no more than edits", () => {
    expect(chooseStreamMode("auto", usage({ editUsed: 30, editActive: 4, appendUsed: 600, nativeActive: 3 }))).toBe("edit");
  });

  it("keeps editing in auto mode under contention when no native stream fits", () => {
    expect(chooseStreamMode("auto", usage({ editUsed: 50, editActive: 10, stopUsed: 20 }))).toBe("edit");
  });

  it("counts the tightest of several budgets of a kind", () => {
    const u = usage({ editUsed: 0 });
    const withTightChannel = { ...u, edit: [...u.edit, use("edit-channel", 20, 15, 1)] };
    expect(chooseStreamMode("auto", withTightChannel)).toBe("native");
    const withTightStart = { ...u, start: [...u.start, use("start-team", 5, 5, 0)] };
    expect(chooseStreamMode("native", withTightStart)).toBe("edit");
  });

  it("treats missing budgets as unlimited", () => {
    expect(chooseStreamMode("native", { start: [], stop: [], append: [], edit: [] })).toBe("native");
    expect(chooseStreamMode("auto", { start: [], stop: [], append: [], edit: [] })).toBe("edit");
  });
});

describe("firstTextHoldMs", () => {
  const append = (used: number, active: number) => [use("append", 100, used, active)];
  const edit = (used: number, active: number) => [use("edit", 50, used, active)];

  it("sends the first text at once when the budgets leave room for progress", () => {
    // A lone stream with a full append bucket, or twenty sharing half of it: two or more appends each.
    expect(firstTextHoldMs("native", { append: append(0, 0), edit: edit(0, 0) }, 10_000)).toBe(0);
    expect(firstTextHoldMs("native", { append: append(50, 19), edit: edit(0, 0) }, 3_500)).toBe(0);
    expect(firstTextHoldMs("edit", { append: append(0, 0), edit: edit(10, 5) }, 10_000)).toBe(0);
  });

  it("holds a native start to where evenly spaced updates put it when appends are scarce, at most 2 s", () => {
    // 19 streams on a drained bucket refilling 100 a minute: 16.7 appends over a 10 s answer, 0.83 each.
    const drained = { append: append(100, 19), edit: edit(50, 0) };
    expect(firstTextHoldMs("native", drained, 10_000)).toBe(2_000);
    // A 3 s answer: 5 appends refill for 20 streams, 0.25 each: the start at 3 s / 2.25.
    expect(firstTextHoldMs("native", drained, 3_000)).toBeCloseTo(3_000 / 2.25, 0);
  });

  it("holds a scarce edited stream's first text a second", () => {
    expect(firstTextHoldMs("edit", { append: append(0, 0), edit: edit(45, 4) }, 10_000)).toBe(1_000);
  });
});
