import type { Redis } from "ioredis";
import type { DroppedRecord, FailureRecord } from "../observability/answer-activity.js";
import { type BudgetSeen, KEPT_RECORDS, type RedisAnswerActivity, STREAM_STALE_MS, type StreamState } from "./activity-store.js";

interface MinuteStats {
  /** Start of the minute, ms since the epoch. */
  readonly at: number;
  readonly answers: number;
  /** Mean first-token latency of the answers whose first text showed in that minute; null when none did. */
  readonly firstTokenMs: number | null;
}

export interface ActivitySnapshot {
  readonly streams: readonly StreamState[];
  readonly failures: readonly (FailureRecord & { readonly at: number })[];
  readonly dropped: readonly (DroppedRecord & { readonly at: number })[];
  /** The last 60 minutes, oldest first, one entry per minute (zeros included, so charts need no gaps logic). */
  readonly minutes: readonly MinuteStats[];
  readonly budgets: readonly BudgetSeen[];
}

/** A budget not spent for this long drops off the page. */
const BUDGET_SHOWN_MS = 10 * 60_000;

function parseAll<T>(values: readonly string[]): T[] {
  return values.flatMap((v) => {
    try {
      return [JSON.parse(v) as T];
    } catch {
      return [];
    }
  });
}

/** Reads what `RedisAnswerActivity` wrote, dropping streams whose worker stopped refreshing them. */
export async function readActivity(redis: Redis, keys: RedisAnswerActivity["keys"], now = Date.now()): Promise<ActivitySnapshot> {
  const [streams, failures, dropped, minutes, budgets] = await Promise.all([
    redis.hgetall(keys.streams),
    redis.lrange(keys.failures, 0, KEPT_RECORDS - 1),
    redis.lrange(keys.dropped, 0, KEPT_RECORDS - 1),
    redis.hgetall(keys.minutes),
    redis.hgetall(keys.budgets),
  ]);
  const live: StreamState[] = [];
  const stale: string[] = [];
  for (const s of parseAll<StreamState>(Object.values(streams))) {
    if (now - s.seenAt > STREAM_STALE_MS) stale.push(s.turnId);
    else live.push(s);
  }
  if (stale.length) await redis.hdel(keys.streams, ...stale).catch(() => undefined);
  // The counters' key lives as long as answers keep coming: minutes older than two hours are removed here.
  const oldest = Math.floor(now / 60_000) - 120;
  const old = Object.keys(minutes).filter((f) => Number(f.split(":")[0]) < oldest);
  if (old.length) await redis.hdel(keys.minutes, ...old).catch(() => undefined);
  live.sort((a, b) => a.receivedAt - b.receivedAt);
  return {
    streams: live,
    failures: parseAll(failures),
    dropped: parseAll(dropped),
    minutes: lastHour(minutes, now),
    budgets: parseAll<BudgetSeen>(Object.values(budgets))
      .filter((b) => now - b.seenAt < BUDGET_SHOWN_MS)
      .sort((a, b) => a.key.localeCompare(b.key)),
  };
}

function lastHour(fields: Record<string, string>, now: number): MinuteStats[] {
  const current = Math.floor(now / 60_000);
  const read = (m: number, what: string) => Number(fields[`${m}:${what}`] ?? 0);
  const out: MinuteStats[] = [];
  for (let m = current - 59; m <= current; m++) {
    const n = read(m, "ftn");
    out.push({ at: m * 60_000, answers: read(m, "answers"), firstTokenMs: n > 0 ? Math.round(read(m, "ftsum") / n) : null });
  }
  return out;
}
