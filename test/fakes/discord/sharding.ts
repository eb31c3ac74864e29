/**
 * Discord's guild sharding, as its gateway documentation states it (discord-api-docs, docs/events/gateway.mdx,
 * "Sharding"): a session identifies with `shard: [shard_id, num_shards]`; events of a guild go to the session
 * whose shard_id is `(guild_id >> 22) % num_shards`; events without a guild_id (DMs among them) go to shard 0
 * only; READY and the GUILD_CREATEs after it cover the shard's guilds only; GET /gateway/bot recommends a shard
 * count (`shards`) and says how many sessions may identify at once (`session_start_limit.max_concurrency`).
 * Close codes (docs/topics/opcodes-and-status-codes.md): 4010 Invalid shard, 4011 Sharding required.
 */

export type ShardKey = readonly [shardId: number, shardCount: number];

/** The Sharding Formula. */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** Whether a session identified as `shard` receives an event about `guildId` (undefined: not a guild event). */
export function shardReceives(shard: ShardKey, guildId: string | undefined): boolean {
  return guildId === undefined ? shard[0] === 0 : shardOf(guildId, shard[1]) === shard[0];
}

/** IDENTIFY's `shard`, or the close code Discord answers: absent means [0, 1]. */
export function identifyShard(value: unknown): ShardKey | 4010 {
  if (value === undefined || value === null) return [0, 1];
  if (!Array.isArray(value) || value.length !== 2) return 4010;
  const [id, count] = value as unknown[];
  if (!Number.isInteger(id) || !Number.isInteger(count) || (count as number) < 1 || (id as number) < 0 || (id as number) >= (count as number)) return 4010;
  return [id as number, count as number];
}

/** A guild id on a given shard, for tests: the smallest snowflake at or after `near` that routes there. */
export function guildIdOnShard(shardId: number, shardCount: number, near: string): string {
  let id = (BigInt(near) >> 22n) << 22n;
  while (Number((id >> 22n) % BigInt(shardCount)) !== shardId) id += 1n << 22n;
  return (id + 1n).toString();
}
