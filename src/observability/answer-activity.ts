import type { PlatformId } from "../contracts/messages.js";
import type { BudgetUsage } from "../rate/rate-budget-store.js";

/** Where an answer is being shown. */
export interface AnswerPlace {
  readonly turnId: string;
  readonly platform: PlatformId;
  readonly workspaceId: string;
  readonly channelId: string;
  /** When the question arrived (ms since the epoch). */
  readonly receivedAt: number;
}

/** One answer while it streams, as the operator console shows it. */
export interface AnswerTracker {
  /** An update of the reply reached the platform. */
  updated(): void;
  /** The reply waited `waitMs` for a slot in a shared budget (or a 429 block). */
  waitedForBudget(waitMs: number): void;
  /** The budgets the last update spent, as the budget store reported them. */
  budgets(usage: readonly BudgetUsage[]): void;
  /** The first answer text became visible. */
  firstText(atMs: number): void;
  /** The answer is over (its final text is shown or was given up on). */
  ended(outcome: "ok" | "stopped" | "error" | "undelivered"): void;
}

/** A reply that ended in an error the user saw. */
export interface FailureRecord {
  readonly platform: PlatformId;
  readonly channelId: string;
  /** What the user was shown. */
  readonly userText: string;
  /** The structured reason: the error's code and class (never its message, which may hold a secret). */
  readonly code: string;
  readonly reason: string;
}

/** An inbound event the bridge did not answer, and why. */
export interface DroppedRecord {
  readonly platform: PlatformId;
  readonly reason: string;
  /** What was dropped: "message", "reaction", "button click". */
  readonly what: string;
  readonly channelId?: string;
}

/**
 * What the core tells the operator console about the answers and events it handles. Every method is fire and
 * forget: the console must never slow down or break an answer, so implementations swallow their own errors.
 */
export interface AnswerActivity {
  started(place: AnswerPlace): AnswerTracker;
  failed(failure: FailureRecord): void;
  dropped(event: DroppedRecord): void;
}

const NOOP_TRACKER: AnswerTracker = {
  updated: () => undefined,
  waitedForBudget: () => undefined,
  budgets: () => undefined,
  firstText: () => undefined,
  ended: () => undefined,
};

/** When no console is on: nothing is recorded. */
export const NO_ACTIVITY: AnswerActivity = {
  started: () => NOOP_TRACKER,
  failed: () => undefined,
  dropped: () => undefined,
};

/**
 * The structured reason of a failure for the console: the error's code, class, HTTP status and Dify's own code
 * where it has them. Never its message, which may carry internals; the full error is in the log line.
 */
export function failureReason(err: unknown): { readonly code: string; readonly reason: string } {
  if (!(err instanceof Error)) return { code: "UNKNOWN", reason: typeof err };
  const e = err as Error & { code?: unknown; status?: unknown; difyCode?: unknown; reason?: unknown };
  const parts = [e.name];
  if (typeof e.status === "number") parts.push(`HTTP ${e.status}`);
  if (typeof e.difyCode === "string") parts.push(`dify code ${e.difyCode}`);
  if (typeof e.reason === "string") parts.push(e.reason);
  return { code: typeof e.code === "string" ? e.code : "UNEXPECTED", reason: parts.join(", ") };
}
