import { setTimeout as sleep } from "node:timers/promises";
import type { BudgetPlace, ChatPlatform, RateBudget, RateBudgets, RateOp } from "../contracts/chat-platform.js";
import { PlatformRateLimitError } from "../contracts/errors.js";
import type { Logger } from "../contracts/logger.js";
import type { ReplyTarget } from "../contracts/messages.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import { type AcquireResult, type BudgetPriority, type BudgetUsage, budgetRetryDelayMs, type RateBudgetStore } from "../rate/rate-budget-store.js";
import { classifyPlatformFailure, MUST_LAND_ATTEMPTS, transientRetryDelayMs } from "./retry-table.js";

/** What a call spends: a rate budget's operation, or "notice" (ephemeral notices, which no budget limits). */
export type GatewayOp = RateOp | "notice";

export interface SlotRequest {
  readonly priority: BudgetPriority;
  /** The stream spending the slot, counted among the budget's active streams (fair shares). */
  readonly streamId?: string | undefined;
  /** Normal priority leaves the reserve for first and final texts unless false. @defaultValue true */
  readonly reserve?: boolean;
}

export interface MustLandOptions {
  /** Tries for transient failures before the error is thrown. @defaultValue MUST_LAND_ATTEMPTS */
  readonly attempts?: number;
}

/** A notice posted as a normal message waits this long at most for a slot; later it would only confuse. */
const NOTICE_WAIT_MS = 10_000;
const HIGH: SlotRequest = { priority: "high" };
const NORMAL: SlotRequest = { priority: "normal" };
const NO_BUDGETS: readonly RateBudget[] = [];

/**
 * Every outbound call to one place on one platform goes through here: the shared budget is spent first, a 429
 * blocks that budget for every stream and process sharing it (for as long as the platform asked) and is counted,
 * every call is counted, and failures are judged by the retry table. Built once per answer (`PlatformGateway.to`),
 * so budget lists and metric children are looked up once, not per call.
 *
 * Four ways to call, by how much the call matters:
 * - `mustLand`: placeholders, finals, cleanup. Waits for a high-priority slot, retries 429s and (bounded)
 *   transient failures, throws permanent ones at once.
 * - `routine`: cosmetic edits that may wait (old suggestion buttons). Waits a bounded time for a normal slot,
 *   then one try.
 * - `optional`: the typing indicator. Only when a slot is free right now, one try, never throws.
 * - `tryAcquire` + `send`: the reply streamer's own loop, which coalesces and paces updates itself.
 */
export class PlatformRoute {
  private all: RateBudgets | undefined;
  private readonly counters = new Map<GatewayOp, { inc(): void }>();

  constructor(
    readonly platform: ChatPlatform,
    readonly place: BudgetPlace,
    private readonly store: RateBudgetStore,
    private readonly metrics: BridgeMetrics,
    readonly logger: Logger,
  ) {}

  /** The budgets `op` spends here. */
  budgets(op: GatewayOp): readonly RateBudget[] {
    if (op === "notice") return NO_BUDGETS;
    this.all ??= this.platform.capabilities.rateBudgets(this.place);
    return this.all[op] ?? NO_BUDGETS;
  }

  /** A slot for `op` now, or how long until one frees: never waits. */
  tryAcquire(op: GatewayOp, request: SlotRequest): Promise<AcquireResult> {
    return this.store.acquire(this.budgets(op), request);
  }

  /** Whether an urgent slot for `op` here was refused in this process moments ago and would be again (a hint). */
  refusedRecently(op: GatewayOp): boolean {
    return this.store.refusedRecently(this.budgets(op));
  }

  usage(op: GatewayOp): Promise<BudgetUsage[]> {
    return this.store.usage(this.budgets(op));
  }

  /** The stream competes for these operations' budgets from now on. */
  join(ops: readonly RateOp[], streamId: string): Promise<void> {
    return this.store.join(this.budgetsOf(ops), streamId);
  }

  leave(ops: readonly RateOp[], streamId: string): Promise<void> {
    return this.store.leave(this.budgetsOf(ops), streamId);
  }

  /** Runs `fn` under a lock shared by every process (see `RateBudgetStore.exclusively`). */
  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.store.exclusively(name, fn);
  }

  /**
   * Performs a call whose slot was granted (or that spends none). Resolves with its result; rejects with its
   * error after counting it and, for a 429, blocking the budget for everyone sharing it.
   */
  async send<T>(op: GatewayOp, call: () => Promise<T>): Promise<T> {
    try {
      const value = await call();
      this.counter(op).inc();
      return value;
    } catch (err) {
      if (err instanceof PlatformRateLimitError) await this.rateLimited(op, err);
      throw err;
    }
  }

  /** Must land: see the class comment. Throws the call's error when it is permanent or tries ran out. */
  async mustLand<T>(op: GatewayOp, call: () => Promise<T>, opts: MustLandOptions = {}): Promise<T> {
    const attempts = opts.attempts ?? MUST_LAND_ATTEMPTS;
    const budgets = this.budgets(op);
    for (let refusals = 0, failures = 0; ; ) {
      if (budgets.length > 0) {
        const grant = await this.store.acquire(budgets, HIGH);
        if (!grant.granted) {
          await sleep(budgetRetryDelayMs(grant.waitMs, refusals++));
          continue;
        }
        refusals = 0;
      }
      try {
        return await this.send(op, call);
      } catch (err) {
        const failure = classifyPlatformFailure(err);
        if (failure === "rate_limited") {
          await sleep((err as PlatformRateLimitError).retryAfterMs);
          continue;
        }
        failures++;
        if (failure === "permanent" || failures >= attempts) throw err;
        this.logger.warn({ err, op, failures }, "platform call failed; trying again");
        await sleep(transientRetryDelayMs(err, failures));
      }
    }
  }

  /**
   * Routine: waits up to `maxWaitMs` for a normal-priority slot (resolving false if none came), then makes one
   * try, whose error is thrown. With `untilLanded`, a 429 or a transient failure (up to MUST_LAND_ATTEMPTS) is
   * tried again within the same `maxWaitMs` instead: for a call that must happen but must not crowd out text
   * (removing a message a reposted final replaced).
   */
  async routine(op: GatewayOp, call: () => Promise<unknown>, opts: { readonly maxWaitMs: number; readonly untilLanded?: boolean }): Promise<boolean> {
    const budgets = this.budgets(op);
    let waited = 0;
    for (let failures = 0; ; ) {
      for (let refusals = 0; budgets.length > 0; refusals++) {
        const grant = await this.store.acquire(budgets, NORMAL);
        if (grant.granted) break;
        if (waited > opts.maxWaitMs) return false;
        // Cosmetic calls back off harder than text does: they must never crowd it out.
        const pause = budgetRetryDelayMs(Math.max(50, grant.waitMs), refusals > 0 ? 4 : 0);
        waited += pause;
        await sleep(pause);
      }
      try {
        await this.send(op, call);
        return true;
      } catch (err) {
        const failure = classifyPlatformFailure(err);
        if (failure !== "rate_limited") failures++;
        if (!opts.untilLanded || failure === "permanent" || failures >= MUST_LAND_ATTEMPTS || waited > opts.maxWaitMs) throw err;
        // After a 429 the budget is blocked for its Retry-After, so the next slot waits it out; a failure backs off.
        const pause = failure === "transient" ? transientRetryDelayMs(err, failures) : budgets.length > 0 ? 0 : (err as PlatformRateLimitError).retryAfterMs;
        waited += pause;
        await sleep(pause);
      }
    }
  }

  /** Optional: only when a normal-priority slot is free right now; one try; never throws. */
  async optional(op: GatewayOp, call: () => Promise<unknown>): Promise<boolean> {
    try {
      const budgets = this.budgets(op);
      if (budgets.length > 0 && !(await this.store.acquire(budgets, NORMAL)).granted) return false;
      await this.send(op, call);
      return true;
    } catch (err) {
      this.logger.debug({ err, op }, "optional platform call failed");
      return false;
    }
  }

  /**
   * A short notice to one person: ephemeral where the platform has them, else (with `orPost`) a normal message
   * in `target`. Best effort: resolves false when it could not be sent, and logs that at warn unless `quiet`
   * (the caller's own log line already says what went wrong).
   */
  async notice(target: ReplyTarget, userId: string, markdown: string, opts: { readonly orPost?: boolean; readonly quiet?: boolean } = {}): Promise<boolean> {
    const platform = this.platform;
    try {
      if (platform.postEphemeral) {
        const post = platform.postEphemeral.bind(platform);
        await this.send("notice", () => post(target, userId, markdown));
        return true;
      }
      if (!opts.orPost) return false;
      return await this.routine("post", () => platform.postMessage(target, { markdown }), { maxWaitMs: NOTICE_WAIT_MS });
    } catch (err) {
      if (opts.quiet) this.logger.debug({ err }, "could not send a notice");
      else this.logger.warn({ err }, "could not send a notice");
      return false;
    }
  }

  private async rateLimited(op: GatewayOp, err: PlatformRateLimitError): Promise<void> {
    this.metrics.rateLimitHits.labels(this.platform.id).inc();
    this.logger.warn({ retryAfterMs: err.retryAfterMs, op, global: err.global }, "platform rate limit hit; waiting");
    // A platform that reports its budgets (`onBudgetSignal`) names the one budget the 429 was about, and that
    // report blocks it; blocking every budget of the op would stall every other channel on the bot-wide one.
    if (this.platform.onBudgetSignal) return;
    const keys = this.budgets(op).map((b) => b.key);
    await this.store.block(keys, err.retryAfterMs).catch((e: unknown) => this.logger.warn({ err: e }, "could not share a rate-limit block"));
  }

  private counter(op: GatewayOp): { inc(): void } {
    let c = this.counters.get(op);
    if (!c) {
      c = this.metrics.platformCalls.labels(this.platform.id, op);
      this.counters.set(op, c);
    }
    return c;
  }

  private budgetsOf(ops: readonly RateOp[]): RateBudget[] {
    return ops.flatMap((op) => [...this.budgets(op)]);
  }
}
