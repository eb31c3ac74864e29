import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { BridgeError } from "../contracts/errors.js";
import { redisScript, type ScriptCommand } from "./redis-script.js";

/** Deletes the key only while it still holds the caller's token: a lock that lapsed and was taken is left alone. */
const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Renews the key only while it still holds the caller's token. */
const EXTEND_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/** A lock this caller holds: the key, and the token that proves it. */
export interface HeldLock {
  readonly key: string;
  readonly token: string;
}

/**
 * The lock stayed taken for the whole wait. Never a reason to carry on unlocked: the caller decides what to do.
 * @internal Exported so tests can tell it apart; callers see it as a BridgeError with code LOCK_BUSY.
 */
export class LockBusyError extends BridgeError {
  readonly code = "LOCK_BUSY" as const;

  constructor(
    readonly key: string,
    readonly waitedMs: number,
  ) {
    super(`lock ${key} still held after ${waitedMs} ms`);
  }
}

export interface AcquireOptions {
  /** How long to keep trying while someone else holds the lock. @defaultValue 0 (one try) */
  readonly waitMs?: number;
  /** Pause between tries. @defaultValue 5 */
  readonly retryEveryMs?: number;
  /** The owner's token (e.g. one naming the process and job). @defaultValue a random UUID */
  readonly token?: string;
}

/**
 * Token-owned mutual exclusion across every process on one Redis (the vercel/chat state-ioredis pattern):
 * `SET NX PX` takes the lock, and Lua compare-and-delete / compare-and-pexpire release or extend it only for
 * the token that took it, so a holder whose lock lapsed can never free or renew someone else's.
 */
export class RedisLock {
  private readonly releaseScript: ScriptCommand;
  private readonly extendScript: ScriptCommand;

  constructor(private readonly redis: Redis) {
    this.releaseScript = redisScript(redis, "bridgeLockRelease", RELEASE_LUA);
    this.extendScript = redisScript(redis, "bridgeLockExtend", EXTEND_LUA);
  }

  /** One try: the lock, or null when someone else holds it. */
  async tryAcquire(key: string, ttlMs: number, token: string = randomUUID()): Promise<HeldLock | null> {
    return (await this.redis.set(key, token, "PX", ttlMs, "NX")) === "OK" ? { key, token } : null;
  }

  /** The lock, waiting up to `waitMs` for it; throws `LockBusyError` when it stayed taken. */
  async acquire(key: string, ttlMs: number, opts: AcquireOptions = {}): Promise<HeldLock> {
    const token = opts.token ?? randomUUID();
    const waitMs = opts.waitMs ?? 0;
    const every = opts.retryEveryMs ?? 5;
    const started = Date.now();
    for (;;) {
      const held = await this.tryAcquire(key, ttlMs, token);
      if (held) return held;
      const waited = Date.now() - started;
      if (waited >= waitMs) throw new LockBusyError(key, waited);
      await sleep(Math.min(every, waitMs - waited));
    }
  }

  /** Renews the lock for `ttlMs`; false when it is no longer ours (it lapsed, and maybe someone else took it). */
  async extend(lock: HeldLock, ttlMs: number): Promise<boolean> {
    return Number(await this.extendScript(1, lock.key, lock.token, String(ttlMs))) === 1;
  }

  /** Frees the lock; false when it was no longer ours (nothing is deleted then). */
  async release(lock: HeldLock): Promise<boolean> {
    return Number(await this.releaseScript(1, lock.key, lock.token)) === 1;
  }

  /** Milliseconds until the lock at `key` expires (0 when free). */
  async remainingMs(key: string): Promise<number> {
    return Math.max(0, await this.redis.pttl(key));
  }

  /** Runs `fn` holding the lock (waiting as `opts` says, else `LockBusyError`), and releases it afterwards. */
  async withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>, opts: AcquireOptions = {}): Promise<T> {
    const lock = await this.acquire(key, ttlMs, opts);
    try {
      return await fn();
    } finally {
      await this.release(lock).catch(() => undefined);
    }
  }
}
