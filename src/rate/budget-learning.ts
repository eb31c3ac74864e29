import type { BudgetSignal } from "../contracts/chat-platform.js";
import type { Logger } from "../contracts/logger.js";
import type { RateBudgetStore } from "./rate-budget-store.js";

/** A learned limit holds this long after the last answer that reported it; the declared one then returns. */
const LEARNED_LIMIT_TTL_MS = 10 * 60_000;
/** The same figure is written again at most this often (answers repeat it on every call). */
const REFRESH_MS = LEARNED_LIMIT_TTL_MS / 4;
/** Distinct budgets remembered locally to skip repeated writes; past that, writes simply repeat. */
const MAX_REMEMBERED = 10_000;

/**
 * Turns what the platform's answers say (`BudgetSignal`, from any adapter) into the shared budgets, so every
 * process paces on the platform's own figures rather than on assumptions alone:
 * - a 429's Retry-After blocks the budget for that long;
 * - "0 remaining, reset in t" blocks it until the reset (someone else may have spent it: another process with the
 *   same token, or a bucket smaller than declared), so the next call waits instead of being refused;
 * - the platform's limit replaces the declared one (larger or smaller) while answers keep reporting it.
 * Signals arrive per response; each is applied without holding up the call that produced it.
 */
export class BudgetLearning {
  private readonly limits = new Map<string, { limit: number; at: number }>();

  constructor(
    private readonly store: RateBudgetStore,
    private readonly logger: Logger,
  ) {}

  /** Applies one signal; resolves when Redis has it (callers need not wait). Never rejects. */
  async apply(signal: BudgetSignal): Promise<void> {
    try {
      const block = signal.retryAfterMs ?? (signal.remaining === 0 ? signal.resetAfterMs : undefined);
      const writes: Promise<void>[] = [];
      if (block !== undefined && block > 0) writes.push(this.store.block([signal.key], block));
      if (signal.limit !== undefined && this.isNews(signal.key, signal.limit)) {
        writes.push(this.store.learnLimit(signal.key, signal.limit, LEARNED_LIMIT_TTL_MS));
      }
      await Promise.all(writes);
    } catch (err) {
      this.logger.debug({ err, budget: signal.key }, "could not record what the platform said about a budget");
    }
  }

  private isNews(key: string, limit: number): boolean {
    const now = Date.now();
    const known = this.limits.get(key);
    if (known && known.limit === limit && now - known.at < REFRESH_MS) return false;
    if (!known && this.limits.size >= MAX_REMEMBERED) this.limits.clear();
    if (!known || known.limit !== limit) this.logger.debug({ budget: key, limit }, "platform reported a budget's limit");
    this.limits.set(key, { limit, at: now });
    return true;
  }
}
