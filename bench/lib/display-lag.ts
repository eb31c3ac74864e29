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
