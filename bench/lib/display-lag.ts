import type { TimedAnswer } from "./timed-answer.js";

/** A state of the reply as a user saw it: when, and the text shown. */
export interface Visible {
  readonly at: number;
  readonly text: string;
}

export interface LagResult {
  /** Mean over all characters of (first visible − emitted). */
  readonly meanLagMs: number;
  /** From message_end to the first state showing the exact final text (undefined if it never did). */
  readonly finalAfterEndMs: number | undefined;
  readonly exactFinal: boolean;
}

/**
 * Display lag of one answer: each emitted piece counts for its characters, and is visible from the first
 * reply state whose text starts with everything emitted up to it (trailing whitespace aside). States that are not a prefix of the answer
 * (the placeholder, progress lines) show nothing.
 */
export function displayLag(answer: TimedAnswer, states: readonly Visible[], shownNow: string, endedAt: number): LagResult {
  const sorted = [...states].sort((a, b) => a.at - b.at);
  const text = answer.text;
  let weighted = 0;
  let total = 0;
  let prev = 0;
  let cursor = 0;
  for (const piece of answer.emitted) {
    // Trailing whitespace has no look of its own (and the bridge trims it): "The" shows all of "The ".
    const needed = text.slice(0, piece.chars).trimEnd();
    // The reply only grows, so the first state showing this piece comes no earlier than the previous one's.
    while (cursor < sorted.length && !(sorted[cursor] as Visible).text.startsWith(needed)) cursor++;
    const seen = sorted[cursor];
    // Never shown by the end of the run: counted as shown at the end (so the mean is a lower bound).
    const visibleAt = seen ? Math.max(seen.at, piece.at) : endedAt;
    weighted += (visibleAt - piece.at) * (piece.chars - prev);
    total += piece.chars - prev;
    prev = piece.chars;
  }
  const final = sorted.find((v) => v.text === text);
  return {
    meanLagMs: total ? weighted / total : Number.NaN,
    finalAfterEndMs: final && answer.messageEndAt !== undefined ? Math.max(0, final.at - answer.messageEndAt) : undefined,
    exactFinal: shownNow === text,
  };
}

export interface BudgetPlan {
  readonly update: number;
  readonly start: number;
  readonly stop: number;
  readonly append: number;
}

/**
 * The lowest mean display lag the budgets allow for `n` simultaneous answers of `durationMs` emitted evenly.
 *
 * A stream shown in u updates spaced evenly, the last one with the final text, shows each character after
 * D/(2u) on average. Edited streams share the update budget (first text, updates and final alike); native
 * streams get one start (first text) and one stop (final) from their own budgets and share the append budget.
 * Every split between the two modes is tried (edits only when `nativeAllowed` is false) and the best kept.
 * Fractional shares are interpolated between the integer allocations they stand for; updates are capped at
 * one per token.
 *
 * With `firstTextAtOnce` (what the bridge does, and what time-to-first-token asks for) the first update goes
 * out with the first token, so only the others are spread: D/(2(u−1)).
 */
export function bestScheduleLagMs(
  n: number,
  durationMs: number,
  tokens: number,
  budgets: BudgetPlan,
  opts: { nativeAllowed: boolean; firstTextAtOnce: boolean },
): number {
  const spaced = (k: number) => durationMs / (2 * Math.max(1, Math.min(k, tokens)));
  // Mean lag of a stream with u updates in all (interpolated between integer allocations).
  const lagFor = (u: number) => {
    const useful = Math.max(1, opts.firstTextAtOnce ? u - 1 : u);
    const lo = Math.floor(useful);
    const hi = Math.ceil(useful);
    return lo === hi ? spaced(lo) : spaced(lo) * (hi - useful) + spaced(hi) * (useful - lo);
  };
  let best = Number.POSITIVE_INFINITY;
  const maxNative = opts.nativeAllowed ? Math.min(n, budgets.start, budgets.stop) : 0;
  for (let m = 0; m <= maxNative; m++) {
    const edited = n - m;
    if (edited > 0 && budgets.update < edited * (opts.firstTextAtOnce ? 2 : 1)) continue; // first text and final each
    const native = m > 0 ? lagFor(2 + budgets.append / m) * m : 0;
    const edit = edited > 0 ? lagFor(budgets.update / edited) * edited : 0;
    best = Math.min(best, (native + edit) / n);
  }
  return best;
}
