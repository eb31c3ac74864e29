import type { Redis } from "ioredis";
import type { Logger } from "../contracts/logger.js";
import type { AnswerActivity, AnswerPlace, AnswerTracker, DroppedRecord, FailureRecord } from "../observability/answer-activity.js";
import type { BudgetUsage } from "../rate/rate-budget-store.js";
import type { RedisKeyBuilder } from "../state/redis-keys.js";

/** One answer streaming now, as stored for the console. */
export interface StreamState {
  readonly turnId: string;
  readonly platform: string;
  readonly workspaceId: string;
  readonly channelId: string;
  readonly receivedAt: number;
  readonly updates: number;
  readonly budgetWaits: number;
  readonly budgetWaitMs: number;
  readonly firstTextMs: number | undefined;
  /** Last time the worker wrote it: a stream not refreshed for `STREAM_STALE_MS` belonged to a worker that died. */
  readonly seenAt: number;
}

export interface BudgetSeen extends BudgetUsage {
  readonly seenAt: number;
}

/** How many failures and dropped events the console keeps (the newest). */
export const KEPT_RECORDS = 100;
/** A streaming answer's record is rewritten at least this often while it lasts. */
const HEARTBEAT_MS = 10_000;
/** Updates are written at most this often per answer: the console shows seconds, not every edit. */
const FLUSH_MS = 1_000;
export const STREAM_STALE_MS = 3 * HEARTBEAT_MS;
/** Per-minute counts and records are kept this long. */
const HISTORY_TTL_S = 2 * 3600;
const RECORDS_TTL_S = 7 * 86_400;

/**
 * The console's view of what every process does, kept in Redis so that one page shows the answers of every
 * worker (BRIDGE_ROLE=worker processes have no console of their own). Small and bounded: a hash of the answers
 * streaming now, two capped lists (failures, dropped events), per-minute counters and the last usage of each
 * budget. Writes are fire and forget; a Redis error is logged at debug and never reaches an answer.
 */
export class RedisAnswerActivity implements AnswerActivity {
  readonly keys: { readonly streams: string; readonly failures: string; readonly dropped: string; readonly minutes: string; readonly budgets: string };

  constructor(
    private readonly redis: Redis,
    key: RedisKeyBuilder,
    private readonly logger: Logger,
  ) {
    this.keys = {
      streams: key("console", "streams"),
      failures: key("console", "failures"),
      dropped: key("console", "dropped"),
      minutes: key("console", "minutes"),
      budgets: key("console", "budgets"),
    };
  }

  started(place: AnswerPlace): AnswerTracker {
    return new RedisAnswerTracker(this, place);
  }

  failed(failure: FailureRecord): void {
    this.push(this.keys.failures, { at: Date.now(), ...failure });
  }

  dropped(event: DroppedRecord): void {
    this.push(this.keys.dropped, { at: Date.now(), ...event });
  }

  /** @internal For the tracker. */
  write(run: (redis: Redis) => Promise<unknown>): void {
    run(this.redis).catch((err: unknown) => this.logger.debug({ err }, "could not record console activity"));
  }

  private push(key: string, record: object): void {
    this.write((r) =>
      r
        .multi()
        .lpush(key, JSON.stringify(record))
        .ltrim(key, 0, KEPT_RECORDS - 1)
        .expire(key, RECORDS_TTL_S)
        .exec(),
    );
  }
}

const minuteOf = (ms: number) => Math.floor(ms / 60_000);

class RedisAnswerTracker implements AnswerTracker {
  private state: { -readonly [K in keyof StreamState]: StreamState[K] };
  private budgetUsage: readonly BudgetUsage[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private done = false;

  constructor(
    private readonly store: RedisAnswerActivity,
    place: AnswerPlace,
  ) {
    this.state = { ...place, updates: 0, budgetWaits: 0, budgetWaitMs: 0, firstTextMs: undefined, seenAt: Date.now() };
    this.heartbeat = setInterval(() => this.flush(), HEARTBEAT_MS).unref();
    this.flush();
  }

  updated(): void {
    this.state.updates++;
    this.soon();
  }

  waitedForBudget(waitMs: number): void {
    this.state.budgetWaits++;
    this.state.budgetWaitMs += Math.max(0, Math.round(waitMs));
    this.soon();
  }

  budgets(usage: readonly BudgetUsage[]): void {
    if (usage.length > 0) this.budgetUsage = usage;
  }

  firstText(atMs: number): void {
    if (this.state.firstTextMs !== undefined) return;
    const ms = Math.max(0, atMs - this.state.receivedAt);
    this.state.firstTextMs = ms;
    const key = this.store.keys.minutes;
    const m = minuteOf(atMs);
    this.store.write((r) => r.multi().hincrby(key, `${m}:ftsum`, ms).hincrby(key, `${m}:ftn`, 1).expire(key, HISTORY_TTL_S).exec());
    this.soon();
  }

  ended(outcome: string): void {
    if (this.done) return;
    this.done = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.timer);
    const { streams, minutes } = this.store.keys;
    const m = minuteOf(Date.now());
    this.writeBudgets();
    this.store.write((r) =>
      r
        .multi()
        .hdel(streams, this.state.turnId)
        .hincrby(minutes, `${m}:answers`, 1)
        .hincrby(minutes, `${m}:${outcome}`, 1)
        .expire(minutes, HISTORY_TTL_S)
        .exec(),
    );
  }

  private soon(): void {
    if (this.timer || this.done) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, FLUSH_MS).unref();
  }

  private flush(): void {
    if (this.done) return;
    this.state.seenAt = Date.now();
    const key = this.store.keys.streams;
    const json = JSON.stringify(this.state);
    this.store.write((r) => r.multi().hset(key, this.state.turnId, json).expire(key, HISTORY_TTL_S).exec());
    this.writeBudgets();
  }

  private writeBudgets(): void {
    if (this.budgetUsage.length === 0) return;
    const key = this.store.keys.budgets;
    const seenAt = Date.now();
    const fields = this.budgetUsage.flatMap((u) => [u.key, JSON.stringify({ ...u, seenAt })]);
    this.store.write((r) =>
      r
        .multi()
        .hset(key, ...fields)
        .expire(key, HISTORY_TTL_S)
        .exec(),
    );
  }
}
