/**
 * The only place Redis key strings are built: `bridge:<kind>:<id>`. Every key the bridge writes has a TTL
 * (set where it is written), so an abandoned thread or answer never stays in Redis forever.
 */
type RedisKeyKind =
  | "seen" // dedupe marker per platform event
  | "thread" // the thread is one of the bot's conversations
  | "conv" // thread → Dify conversation id
  | "fresh" // the thread's conversation was reset on request: its next turn starts from nothing
  | "fifo" // per-thread queue of job ids, oldest first
  | "lock" // per-thread token-owned lock
  | "turn" // one answer: asker, Dify ids, refs, suggestions
  | "reply" // platform message → Dify message (feedback)
  | "reactions" // current 👍/👎 per Dify message
  | "rating" // last rating sent to Dify per message
  | "fblock" // feedback sync lock per message
  | "stop" // stop requested for a turn
  | "form" // a Human Input form shown in a reply, until it is answered or expires
  | "rl" // per-user rate limit window
  | "rlnote" // per-user "slow down" notice already sent this window
  | "budget" // sliding-window log of a platform rate budget
  | "bucket" // a refilling rate budget's theoretical arrival time (GCRA)
  | "block" // a budget blocked by a 429 until its PTTL expires
  | "active" // streams currently spending a budget
  | "blimit" // a budget's limit as the platform itself reported it (Discord's x-ratelimit-limit)
  | "stats" // pacing statistics
  | "threadlog" // messages of a thread an adapter saw (a bounded cache for thread context)
  | "viewctx" // what the person views beside the app's pane (Slack AI app context), per thread
  | "fbnote" // per Dify message: the "what was wrong?" text of each person
  | "fbnotesent" // the feedback content last sent to Dify per message
  | "console" // the operator console's recent activity (answers streaming, failures, dropped events, per minute)
  | "install"; // a platform's installations (Slack OAuth), sealed by the adapter; the one kind without a TTL

/**
 * `group`: the id whose slot this key must share under Redis Cluster, when it is not `id` itself (a message's
 * dedupe marker goes with its thread, so every step ingress takes for one thread runs on one node, in order).
 * Ignored without hash tags.
 */
export type RedisKeyBuilder = (kind: RedisKeyKind, id: string, group?: string) => string;

export interface RedisKeyOptions {
  /**
   * Wrap the id that groups keys in a hash tag (`bridge:conv:{slack:T1:C1:17.1}`), as Redis Cluster needs: a
   * Lua script or MULTI may only touch keys of one slot, and Redis hashes only what is inside the first `{…}`.
   * Off for one server or Sentinel, so an existing deployment keeps its keys' names.
   * @defaultValue false
   */
  readonly hashTags?: boolean;
}

/**
 * Kinds whose keys are combined across ids in one script: one budget acquisition takes a slot in several
 * budgets at once (Discord: the channel's and the bot-wide one), so all of them live in one slot. That slot
 * is never hot: the platforms' own rate limits cap how often budgets are spent.
 */
const ONE_SLOT: ReadonlySet<RedisKeyKind> = new Set(["budget", "bucket", "block", "active", "blimit"]);

/**
 * `prefix` lets tests (and several bridges on one Redis) keep their keys apart. With hash tags, every other
 * kind is tagged by its id (or `group`), so all keys of one thread (`thread`, `conv`, `fifo`, `lock`, keyed by
 * the conversation key) or of one Dify message (`reactions`, `rating`, `fblock`) share a slot, whatever their
 * kind; a new kind keyed by one of those ids lands beside them without a rule of its own.
 */
export function createRedisKeys(prefix = "bridge", opts: RedisKeyOptions = {}): RedisKeyBuilder {
  if (!opts.hashTags) return (kind, id) => `${prefix}:${kind}:${id}`;
  return (kind, id, group) => {
    const tag = ONE_SLOT.has(kind) ? `${prefix}:budgets` : (group ?? id);
    return tag === id ? `${prefix}:${kind}:{${id}}` : `${prefix}:${kind}:{${tag}}:${id}`;
  };
}

/**
 * A SCAN pattern for every key of `prefix` whose id mentions `fragment` (ids are free text after the kind, so
 * the fragment may sit anywhere). Glob characters in `fragment` are escaped.
 */
export function keysMentioning(prefix: string, fragment: string): string {
  return `${prefix}:*${fragment.replace(/[*?[\]\\]/g, "\\$&")}*`;
}

/**
 * BullMQ's key prefix. Its Lua scripts touch many keys of one queue, so under Redis Cluster the prefix is a hash
 * tag (BullMQ's own advice: `prefix: "{myprefix}"`), which puts the whole queue in one slot.
 */
export function queuePrefix(prefix: string, opts: RedisKeyOptions = {}): string {
  return opts.hashTags ? `{${prefix}}` : prefix;
}
