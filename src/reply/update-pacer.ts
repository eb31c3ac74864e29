import type { RateOp } from "../contracts/chat-platform.js";
import type { PlatformRoute, SlotRequest } from "../gateway/platform-route.js";
import type { DurationStats } from "../rate/duration-stats.js";
import { type AcquireResult, type BudgetUsage, budgetRetryDelayMs } from "../rate/rate-budget-store.js";
import { routineIntervalMs } from "./edit-pacer.js";

/**
 * When one stream may send its next update: not before a 429 block ends, routine updates no sooner than the
 * stream's fair share of the shared budgets allows (see `routineIntervalMs`), urgent ones (first text, finals)
 * as soon as a slot frees, backing off when refused again and again.
 */
export class UpdatePacer {
  private nextRoutineAt = 0;
  /** After a 429, nothing is sent before this time (the route also blocked the shared budget for other streams). */
  private blockedUntil = 0;
  private refusals = 0;
  /** Routine updates that went out (progress after the first text). */
  private progressUpdates = 0;
  private firstProgressChecked = false;
  /** When the last update of the growing message went out. */
  private lastSentAt: number | undefined;
  private readonly startedAt = Date.now();
  private readonly slots: { readonly routine: SlotRequest; readonly urgent: SlotRequest; readonly append: SlotRequest; readonly other: SlotRequest };

  constructor(
    private readonly route: PlatformRoute,
    private readonly durations: DurationStats,
    streamId: string,
  ) {
    // Built once: the slot request goes with every update.
    this.slots = {
      routine: { priority: "normal", streamId },
      urgent: { priority: "high", streamId },
      // Slack's finals go through chat.stopStream, so appends keep no reserve for them.
      append: { priority: "normal", streamId, reserve: false },
      other: { priority: "high" },
    };
  }

  /**
   * The slot an update asks for: routine updates leave the reserve for first and final texts; edits and appends
   * count the stream among the budget's active streams (fair shares); posts and stream starts/stops are urgent.
   */
  slotFor(op: RateOp, routine: boolean): SlotRequest {
    if (op === "streamAppend") return this.slots.append;
    if (op === "edit") return routine ? this.slots.routine : this.slots.urgent;
    return this.slots.other;
  }

  /** How long to wait before asking for a slot at all (0: ask now). */
  waitMs(routine: boolean): number {
    const now = Date.now();
    const blockedMs = this.blockedUntil - now;
    if (blockedMs > 0) return blockedMs;
    return routine ? Math.max(0, this.nextRoutineAt - now) : 0;
  }

  /** The budget had no slot. Returns how long to pause before the loop goes on (0: at once, to re-plan). */
  refused(grant: Extract<AcquireResult, { granted: false }>, routine: boolean, native: boolean, answerSince: number | undefined): number {
    if (!routine) return budgetRetryDelayMs(grant.waitMs, this.refusals++);
    // A busy budget: try again when this stream's fair share says, not as soon as any slot frees (with hundreds
    // of streams on one budget, the retries alone would flood Redis).
    const share = this.intervalFor(grant.usage, native, answerSince);
    // A stream still without progress asks again as soon as a slot returns (one at a time in a refilling budget);
    // one overdue by more than its interval asks twice as often as one updated lately, so the slots that
    // refill go to the streams shown the least rather than to whichever stream came due last.
    const overdue = this.lastSentAt !== undefined && Date.now() - this.lastSentAt > 2 * share;
    const retryMs = this.progressUpdates === 0 ? Math.max(grant.waitMs, 50) : Math.max(grant.waitMs, overdue ? share / 4 : share / 2);
    this.nextRoutineAt = Date.now() + retryMs * (0.75 + Math.random() / 2);
    return 0;
  }

  granted(): void {
    this.refusals = 0;
  }

  /** An update of the growing message went out at `sentAt`: the next routine one waits a fair interval from then. */
  sent(sentAt: number, usage: readonly BudgetUsage[], native: boolean, answerSince: number | undefined, routine: boolean): void {
    if (routine) this.progressUpdates++;
    this.lastSentAt = sentAt;
    this.nextRoutineAt = sentAt + this.intervalFor(usage, native, answerSince);
  }

  /**
   * Whether the first progress update, now due, should look at the budget again first (once per stream): its
   * time was set when the stream's first text went out, and streams starting together join the budget after it.
   */
  get firstProgressUnchecked(): boolean {
    return this.progressUpdates === 0 && !this.firstProgressChecked && this.lastSentAt !== undefined;
  }

  /** Re-times the first progress update from the budget as it is now; returns how much longer it waits (0: none). */
  recheckFirstProgress(usage: readonly BudgetUsage[], native: boolean, answerSince: number | undefined): number {
    this.firstProgressChecked = true;
    const due = (this.lastSentAt ?? Date.now()) + this.intervalFor(usage, native, answerSince);
    if (due <= this.nextRoutineAt) return 0;
    this.nextRoutineAt = due;
    return Math.max(0, due - Date.now());
  }

  /** The first text was held until it showed a stretch of the answer: it counts as the first progress. */
  progressShown(): void {
    this.progressUpdates = Math.max(1, this.progressUpdates);
  }

  rateLimited(retryAfterMs: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, Date.now() + retryAfterMs);
  }

  private intervalFor(usage: readonly BudgetUsage[], native: boolean, answerSince: number | undefined): number {
    return routineIntervalMs({
      reservesFinals: !native,
      usage,
      elapsedMs: Date.now() - (answerSince ?? this.startedAt),
      expectedDurationMs: this.durations.expectedMs(),
      minIntervalMs: this.route.platform.capabilities.minEditIntervalMs,
      progressShown: this.progressUpdates > 0,
    });
  }
}
