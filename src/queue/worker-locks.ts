/**
 * How a worker that died mid-answer is noticed, and why this way.
 *
 * BullMQ already has the mechanism: each active job holds a lock the worker renews, and a stalled-job check
 * (shared by every worker, at most once per `stalledInterval`) moves a job whose lock has lapsed back to wait,
 * where any live worker (or the restarted one, whose check runs as soon as it starts) takes it. The time to
 * notice is the lock duration plus at most one check interval. With BullMQ's defaults (30 s lock renewed every
 * 15 s, checks every 30 s) that was 30-60 s of a bare "Thinking…".
 *
 * Three ways to be faster were weighed:
 * - a heartbeat key per process plus a scan that frees the jobs of dead processes: it would have to delete
 *   BullMQ's lock keys by their internal names, and a heartbeat is renewed from the same event loop as the lock,
 *   so it is no better at telling a busy process from a dead one;
 * - a scan of orphaned active jobs at start-up only: helps a restarted single worker, not a dead one among many;
 * - a shorter lock renewed often (chosen): the lock lives `JOB_LOCK_MS` (6 s by default) and is renewed every
 *   quarter of it; the check runs every sixth. A dead worker's lock lapses ¾-1 lock after the kill (its last
 *   renewal was up to a quarter before) and the next check moves the job, so it moves within [¾, 1 + ⅙] ×
 *   JOB_LOCK_MS (4.5-7 s by default), which leaves about 3 s for a loaded machine and the resuming worker's own
 *   start inside the 10 s a user waits at most. A live worker loses its job only if three renewals in a row fail
 *   to reach Redis (its event loop blocked, or Redis unreachable, for about 4.5 s; the worst 2-s interval of
 *   event-loop delay measured at 2,000 answers in flight was 0.35 s): renewing often is what keeps a short lock
 *   safe, where BullMQ's default renews once per half lock. Should that still happen, the thread lock (renewed
 *   on the same rhythm) keeps the second run waiting and the finished-turn mark stops it from answering again.
 *   The check itself is one Lua script per interval for the whole queue (BullMQ lets one worker run it), so a
 *   shorter interval costs Redis little.
 */
export interface WorkerLockSettings {
  /** BullMQ `lockDuration`: a job's lock lapses this long after its worker's last renewal. */
  readonly lockDuration: number;
  /** BullMQ `lockRenewTime`. */
  readonly lockRenewTime: number;
  /** BullMQ `stalledInterval`. */
  readonly stalledInterval: number;
  /** The per-thread lock lives as long as the job lock and is renewed as often. */
  readonly threadLockTtlMs: number;
  readonly threadLockRenewMs: number;
}

export function workerLockSettings(jobLockMs: number): WorkerLockSettings {
  const beat = Math.max(250, Math.floor(jobLockMs / 4));
  const check = Math.max(250, Math.floor(jobLockMs / 6));
  return { lockDuration: jobLockMs, lockRenewTime: beat, stalledInterval: check, threadLockTtlMs: jobLockMs, threadLockRenewMs: beat };
}
