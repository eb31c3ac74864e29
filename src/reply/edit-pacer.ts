import type { BudgetUsage } from "../rate/rate-budget-store.js";

/**
 * How long a stream waits between routine updates. A budget window is shared by every active stream, and a
 * burst spent early starves the rest of the answer (and everyone else's), so each stream spreads its fair
 * share of the budget over the time it is expected to keep streaming:
 *
 *   capacity over the next T ms ≈ max(free slots now, routine slots per window × T / window)
 *   interval = T / (capacity / active streams + 1)     (the final text is the last of the evenly spaced updates)
 *
 * T is the expected remaining duration of this answer: the typical duration learned from recent answers
 * minus what has elapsed, and never less than a quarter of the elapsed time (an answer that has run long will
 * likely run on; a larger share slowed every answer down well before its typical end) nor than half a second.
 * Slots for first and final texts are reserved by the budget itself.
 *
 * A stream that has shown only its first text asks for its first progress update within FIRST_PROGRESS_MS
 * while its share is at least one update, and within SCARCE_FIRST_PROGRESS_MS when it is below: a share
 * below one would otherwise put that update after the answer's likely end, so with a partly used budget some
 * answers showed nothing between their first words and their final text (the budget refuses when it has no
 * room, and the reserve keeps the finals' slots, so asking early is safe).
 */
export function routineIntervalMs(opts: {
  readonly usage: readonly BudgetUsage[];
  readonly elapsedMs: number;
  readonly expectedDurationMs: number;
  readonly minIntervalMs: number;
  readonly maxIntervalMs?: number;
  /** Whether the budget keeps slots for final texts (edits do; appends do not: finals go through a stop). */
  readonly reservesFinals?: boolean;
  /** Whether a progress update (a routine one after the first text) has been shown yet. @defaultValue true */
  readonly progressShown?: boolean;
}): number {
  const remainingMs = Math.max(opts.expectedDurationMs - opts.elapsedMs, opts.elapsedMs / 4, 500);
  let interval = opts.minIntervalMs;
  let fewestShare = Number.POSITIVE_INFINITY;
  for (const u of opts.usage) {
    const active = Math.max(1, u.active);
    const reserve = opts.reservesFinals === false ? 0 : Math.min(Math.floor(u.limit * 0.4), active);
    const routinePerWindow = Math.max(1, u.limit - reserve);
    const freeNow = Math.max(0, routinePerWindow - u.used);
    const capacity = Math.max(freeNow, (routinePerWindow * remainingMs) / u.windowMs);
    // `share` routine updates plus the final split the remaining time evenly.
    const share = capacity / active;
    fewestShare = Math.min(fewestShare, share);
    interval = Math.max(interval, remainingMs / (share + 1));
  }
  const capped = Math.min(interval, opts.maxIntervalMs ?? 30_000);
  if (opts.progressShown !== false) return capped;
  // Below one update each, the few slots are better spent a little later: a first update a second in shows a
  // tenth of a 10 s answer, one two seconds in a fifth (what a held start shows, see firstTextHoldMs), and
  // an answer of more than about 2 s still shows progress.
  const firstDue = fewestShare >= 1 ? FIRST_PROGRESS_MS : Math.min(remainingMs / 2, SCARCE_FIRST_PROGRESS_MS);
  return Math.min(capped, Math.max(opts.minIntervalMs, firstDue));
}

/** The first progress update of a stream comes this soon after its first text, when a budget has room. */
const FIRST_PROGRESS_MS = 1_000;
/** ... and this soon when its share is below one update. */
const SCARCE_FIRST_PROGRESS_MS = 2_000;
