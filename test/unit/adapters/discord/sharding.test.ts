import { describe, expect, it } from "vitest";
import { clientShardOptions } from "../../../../adapters/discord/sharding.js";
import { guildIdOnShard, identifyShard, shardOf, shardReceives } from "../../../fakes/discord/sharding.js";

describe("discord.js shard options from the settings", () => {
  it("asks Discord for the count unless one is set; runs all shards unless told which", () => {
    expect(clientShardOptions()).toEqual({ shards: "auto" });
    expect(clientShardOptions({ count: 3 })).toEqual({ shards: [0, 1, 2], shardCount: 3 });
    expect(clientShardOptions({ count: 4, ids: [1, 3] })).toEqual({ shards: [1, 3], shardCount: 4 });
  });
});

describe("the fake's sharding (Discord's gateway documentation)", () => {
  it("routes a guild by (guild_id >> 22) % num_shards", () => {
    // The example serenity documents for this formula: guild 81384788765712384 on 17 shards is shard 7.
    expect(shardOf("81384788765712384", 17)).toBe(7);
    for (const shard of [0, 1, 2]) expect(shardOf(guildIdOnShard(shard, 3, "1200000000000000001"), 3)).toBe(shard);
  });

  it("sends events without a guild (DMs) to shard 0 only", () => {
    expect(shardReceives([0, 2], undefined)).toBe(true);
    expect(shardReceives([1, 2], undefined)).toBe(false);
  });

  it("reads IDENTIFY's shard: absent means [0, 1]; anything out of range is close 4010", () => {
    expect(identifyShard(undefined)).toEqual([0, 1]);
    expect(identifyShard([1, 2])).toEqual([1, 2]);
    for (const bad of [[2, 2], [-1, 2], [0, 0], [0], "0,1", [0.5, 2]]) expect(identifyShard(bad)).toBe(4010);
  });
});
