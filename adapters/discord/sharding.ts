import type { ClientOptions } from "discord.js";
import { z } from "zod";

/**
 * Gateway sharding (Discord: "Sharding" in the gateway documentation). Each gateway session handles the guilds
 * whose `(guild_id >> 22) % shardCount` is its shard id, and DMs reach shard 0 only. A bot in many servers runs
 * several shards, and ingress replicas split them: every replica gets the same DISCORD_SHARD_COUNT and its own
 * DISCORD_SHARD_IDS, so each shard is connected exactly once.
 */
export interface DiscordSharding {
  /** Shards across every process; undefined: Discord's recommendation (GET /gateway/bot `shards`). */
  readonly count?: number;
  /** The shards this process runs; undefined: all of them. */
  readonly ids?: readonly number[];
}

const MAX_SHARDS = 100_000;

/** DISCORD_SHARD_COUNT: a positive integer, or unset. */
export const shardCountSetting = () =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "" || v.trim().toLowerCase() === "auto") return undefined;
      const n = Number(v.trim());
      if (!Number.isInteger(n) || n < 1 || n > MAX_SHARDS) {
        ctx.addIssue({ code: "custom", message: `must be a whole number of shards from 1 to ${MAX_SHARDS}, or auto` });
        return z.NEVER;
      }
      return n;
    });

/** DISCORD_SHARD_IDS: "0,1,4-7" (ids and inclusive ranges), or unset. */
export const shardIdsSetting = () =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return undefined;
      const ids = new Set<number>();
      for (const [i, part] of v.split(",").entries()) {
        const m = /^\s*(\d{1,6})\s*(?:-\s*(\d{1,6})\s*)?$/.exec(part);
        const lo = Number(m?.[1]);
        const hi = m?.[2] === undefined ? lo : Number(m[2]);
        if (!m || hi < lo) {
          ctx.addIssue({ code: "custom", message: `entry ${i + 1} is not a shard id or a range like 4-7` });
          return z.NEVER;
        }
        for (let id = lo; id <= hi; id++) ids.add(id);
      }
      return [...ids].sort((a, b) => a - b);
    });

/** The problems of a count and ids pair ("" when fine), for the config's cross-field check. */
export function shardingProblem(s: DiscordSharding): string {
  if (s.ids === undefined) return "";
  if (s.count === undefined) return "needs DISCORD_SHARD_COUNT (every process must agree on the total)";
  const outside = s.ids.filter((id) => id >= (s.count as number));
  return outside.length > 0 ? `ids must be below DISCORD_SHARD_COUNT (${s.count}); ${outside.length} are not` : "";
}

/** discord.js Client options for the setting: `shards: "auto"` asks Discord, otherwise the ids and the total. */
export function clientShardOptions(s: DiscordSharding = {}): Pick<ClientOptions, "shards" | "shardCount"> {
  if (s.count === undefined) return { shards: "auto" };
  return { shards: [...(s.ids ?? Array.from({ length: s.count }, (_, i) => i))], shardCount: s.count };
}
