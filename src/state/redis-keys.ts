/**
 * The only place Redis key strings are built: `bridge:<kind>:<id>`. Every key the bridge writes has a TTL
 * (set where it is written), so an abandoned thread or answer never stays in Redis forever.
 */
type RedisKeyKind =
  | "seen" // dedupe marker per platform event
  | "thread" // the thread is one of the bot's conversations
  | "conv" // thread → Dify conversation id
  | "fifo" // per-thread queue of job ids, oldest first
  | "lock" // per-thread token-owned lock
  | "turn" // one answer: asker, Dify ids, refs, suggestions
  | "reply" // platform message → Dify message (feedback)
  | "reactions" // current 👍/👎 per Dify message
  | "rating" // last rating sent to Dify per message
  | "fblock" // feedback sync lock per message
  | "stop" // stop requested for a turn
  | "rl" // per-user rate limit window
  | "rlnote" // per-user "slow down" notice already sent this window
  | "budget" // sliding-window log of a platform rate budget
  | "block" // a budget blocked by a 429 until its PTTL expires
  | "active" // streams currently spending a budget
  | "stats"; // pacing statistics

export type RedisKeyBuilder = (kind: RedisKeyKind, id: string) => string;

/** `prefix` lets tests (and several bridges on one Redis) keep their keys apart. */
export function createRedisKeys(prefix = "bridge"): RedisKeyBuilder {
  return (kind, id) => `${prefix}:${kind}:${id}`;
}
