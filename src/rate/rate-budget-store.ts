import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { RateBudget } from "../contracts/chat-platform.js";
import type { RedisKeyBuilder } from "../state/redis-keys.js";
import { RedisLock } from "../state/redis-lock.js";
import { redisScript, type ScriptCommand } from "../state/redis-script.js";
import { ACQUIRE_LUA, BLOCK_LUA, SNAPSHOT_LUA } from "./budget-scripts.js";

export type BudgetPriority = "high" | "normal";

export interface BudgetUsage {
  readonly key: string;
  /** The limit in force: the platform's own figure where it reported one, else the declared one. */
  readonly limit: number;
  readonly windowMs: number;
  /** Grants in the current window, or tokens missing from a refilling bucket (rounded up). */
  readonly used: number;
  /** Streams that spent or asked for this budget recently. */
  readonly active: number;
}

export type AcquireResult =
  | { readonly granted: true; readonly usage: readonly BudgetUsage[] }
  | { readonly granted: false; readonly waitMs: number; readonly usage: readonly BudgetUsage[] };

/**
 * Grants are timed by Redis, calls are timed by the platform on arrival, and the delay between the two differs
 * from call to call; counting each window slightly longer than the platform does keeps that jitter from ever
 * making N+1. The margin grows with the event loop's measured lateness (`lateMs`, its recent p99): a loop
 * running that late holds a granted call about that long before it leaves the machine.
 * @internal Exported for its unit test.
 */
export function effectiveWindowMs(windowMs: number, lateMs = 0): number {
  // At least 100 ms: a busy worker can hold a granted call that long before it leaves the machine (measured:
  // 1 s windows with a 50 ms margin saw a handful of 429s at 80% CPU). Twice the lateness: the call that
  // opens a window and the one that closes it may each be held back.
  return windowMs + Math.min(1_000, Math.max(100, Math.ceil(windowMs * 0.05), Math.ceil(2 * lateMs)));
}

/** limit, window (with the jitter margin) and meter of one budget, as the scripts take them. */
function meterArgs(b: RateBudget, lateMs: number): string[] {
  return [String(b.limit), String(effectiveWindowMs(b.windowMs, lateMs)), b.refill === "continuous" ? "c" : "w"];
}

/** A decision under `exclusively` takes a few Redis round trips; a holder that died frees the lock after this. */
const EXCLUSIVE_TTL_MS = 2_000;
const EXCLUSIVE_WAIT_MS = EXCLUSIVE_TTL_MS + 500;

/** Refusal hints kept at most (see `RateBudgetStore.refusedRecently`). */
const MAX_REFUSAL_HINTS = 10_000;

const setKey = (budgets: readonly RateBudget[]) => budgets.map((b) => b.key).join("\n");

/** A stream that has not asked for a budget for this long no longer counts as active. */
const ACTIVE_TTL_MS = 30_000;

/**
 * Platform rate budgets shared by every stream in every worker process (Slack: ~50 chat.update per minute per
 * workspace; Discord: 5 edits per 5 s per channel plus 50 requests/s per bot). Spending within them is what
 * keeps concurrent streams free of 429s.
 */
export class RateBudgetStore {
  private readonly acquireScript: ScriptCommand;
  private readonly blockScript: ScriptCommand;
  private readonly snapshotScript: ScriptCommand;
  private readonly locks: RedisLock;
  /**
   * Per set of budgets: until when an urgent request for it was refused here. A hint for callers with another
   * path (a final text that can go out as a new message), never a decision: only `acquire` grants.
   */
  private readonly refusedUntil = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly key: RedisKeyBuilder,
    /** The event loop's recent lateness in ms (LoopLateness); none: the fixed margin alone. */
    private readonly lateness: () => number = () => 0,
  ) {
    this.acquireScript = redisScript(redis, "bridgeBudgetAcquire", ACQUIRE_LUA);
    this.blockScript = redisScript(redis, "bridgeBudgetBlock", BLOCK_LUA);
    this.snapshotScript = redisScript(redis, "bridgeBudgetSnapshot", SNAPSHOT_LUA);
    this.locks = new RedisLock(redis);
  }

  /**
   * Takes one slot in every budget, or none. Normal priority leaves a reserve for first and final texts unless
   * `reserve` is false (a budget whose finals are spent elsewhere, like Slack's appends).
   */
  async acquire(budgets: readonly RateBudget[], opts: { priority: BudgetPriority; streamId?: string | undefined; reserve?: boolean }): Promise<AcquireResult> {
    if (budgets.length === 0) return { granted: true, usage: [] };
    const keys = budgets.flatMap((b) => [this.stateKey(b), this.key("block", b.key), this.key("active", b.key), this.key("blimit", b.key)]);
    const late = this.lateness();
    const args = [
      String(budgets.length),
      opts.priority === "normal" && opts.reserve === false ? "normal-no-reserve" : opts.priority,
      randomUUID(),
      opts.streamId ?? "",
      String(ACTIVE_TTL_MS),
      ...budgets.flatMap((b) => meterArgs(b, late)),
    ];
    const raw = (await this.acquireScript(keys.length, ...keys, ...args)) as number[];
    const usage = budgets.map((b, i) => ({
      key: b.key,
      limit: Number(raw[4 + 3 * i]),
      windowMs: b.windowMs,
      used: Number(raw[2 + 3 * i]),
      active: Number(raw[3 + 3 * i]),
    }));
    if (raw[0] === 1) {
      this.refusedUntil.delete(setKey(budgets));
      return { granted: true, usage };
    }
    const waitMs = Number(raw[1]);
    if (opts.priority === "high") this.noteRefusal(setKey(budgets), Date.now() + waitMs);
    return { granted: false, waitMs, usage };
  }

  /** Whether an urgent request for these budgets was refused in this process and the wait it was told has not passed. */
  refusedRecently(budgets: readonly RateBudget[]): boolean {
    if (budgets.length === 0) return false;
    const key = setKey(budgets);
    const until = this.refusedUntil.get(key);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.refusedUntil.delete(key);
    return false;
  }

  private noteRefusal(key: string, until: number): void {
    // Sets whose wait passed and that nobody asked about again would otherwise stay (one per channel, forever).
    if (this.refusedUntil.size >= MAX_REFUSAL_HINTS) {
      const now = Date.now();
      for (const [k, u] of this.refusedUntil) if (u <= now) this.refusedUntil.delete(k);
      if (this.refusedUntil.size >= MAX_REFUSAL_HINTS) this.refusedUntil.clear();
    }
    this.refusedUntil.set(key, until);
  }

  /** A window log and a token bucket are different Redis types: each meter has its own key kind. */
  private stateKey(b: RateBudget): string {
    return b.refill === "continuous" ? this.key("bucket", b.key) : this.key("budget", b.key);
  }

  /** After a 429: nobody spends these budgets until `ms` has passed. */
  async block(budgetKeys: readonly string[], ms: number): Promise<void> {
    if (budgetKeys.length === 0 || ms <= 0) return;
    await this.blockScript(budgetKeys.length, ...budgetKeys.map((k) => this.key("block", k)), String(Math.ceil(ms)));
  }

  /**
   * The platform's own limit for a budget (from its answers), in force instead of the declared one for `ttlMs`,
   * for every process; each answer that repeats it keeps it fresh.
   */
  async learnLimit(budgetKey: string, limit: number, ttlMs: number): Promise<void> {
    if (!Number.isInteger(limit) || limit < 1) return;
    await this.redis.set(this.key("blimit", budgetKey), String(limit), "PX", Math.ceil(ttlMs));
  }

  async usage(budgets: readonly RateBudget[]): Promise<BudgetUsage[]> {
    if (budgets.length === 0) return [];
    const keys = budgets.flatMap((b) => [this.stateKey(b), this.key("active", b.key), this.key("blimit", b.key)]);
    const late = this.lateness();
    const raw = (await this.snapshotScript(
      keys.length,
      ...keys,
      String(budgets.length),
      String(ACTIVE_TTL_MS),
      ...budgets.flatMap((b) => meterArgs(b, late)),
    )) as number[];
    return budgets.map((b, i) => ({
      key: b.key,
      limit: Number(raw[3 * i + 2]),
      windowMs: b.windowMs,
      used: Number(raw[3 * i]),
      active: Number(raw[3 * i + 1]),
    }));
  }

  /** The stream competes for these budgets from now on (counted in `active`). */
  async join(budgets: readonly RateBudget[], streamId: string): Promise<void> {
    if (budgets.length === 0) return;
    const multi = this.redis.multi();
    const at = Date.now();
    for (const b of budgets) multi.zadd(this.key("active", b.key), at, streamId).pexpire(this.key("active", b.key), ACTIVE_TTL_MS);
    await multi.exec();
  }

  /**
   * Runs `fn` while holding a short lock named `name` (across every process), so decisions that read the budgets
   * and then join one (which mode a new stream takes) are made one at a time and each sees the previous ones.
   * Waits a little longer than the lock lives (a holder that died frees it by then); throws `LockBusyError`
   * rather than deciding unlocked.
   */
  async exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.withLock(this.key("lock", `budget:${name}`), EXCLUSIVE_TTL_MS, fn, { waitMs: EXCLUSIVE_WAIT_MS });
  }

  /** The stream no longer competes for these budgets. */
  async leave(budgets: readonly RateBudget[], streamId: string): Promise<void> {
    if (budgets.length === 0) return;
    const multi = this.redis.multi();
    for (const b of budgets) multi.zrem(this.key("active", b.key), streamId);
    await multi.exec();
  }
}

/**
 * How long to wait after a refused slot. The budget says when the next slot frees, but when many callers wait
 * for the same budget they would all wake at that moment and all but one be refused again; so the wait grows
 * with every refusal in a row and is spread with jitter.
 */
export function budgetRetryDelayMs(waitMs: number, refusalsInARow: number, random: () => number = Math.random): number {
  const backoff = Math.min(2_000, 10 * 2 ** Math.min(refusalsInARow, 8));
  return Math.max(5, waitMs) + Math.floor(random() * backoff);
}
