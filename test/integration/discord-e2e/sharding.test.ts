import { describe, it } from "vitest";
import { parseDiscordConfig } from "../../../adapters/discord/config.js";
import { createDiscordPlatform } from "../../../adapters/discord/index.js";
import { Bridge } from "../../../src/app/create-bridge.js";
import { parseCoreConfig } from "../../../src/config/config.js";
import { BridgeMetrics } from "../../../src/observability/metrics.js";
import { scripts } from "../../fakes/dify/index.js";
import { FAKE_IDS, type FakeDiscord, guildIdOnShard, shardOf } from "../../fakes/discord/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { captureLogger } from "../../support/capture-logger.js";
import { REDIS_URL } from "../../support/redis.js";
import { finalBotMessages, settle, startDiscordE2E } from "./support.js";

const SHARD_ZERO_CHANNEL = "1300000000000000100";
/** A guild on shard 0 of 2 (the default guilds route to shard 1). */
const ZERO_GUILD = guildIdOnShard(0, 2, FAKE_IDS.guild);

function addShardZeroGuild(fake: FakeDiscord): void {
  fake.world.addGuild({ id: ZERO_GUILD, name: "Shard Zero Guild", channelId: SHARD_ZERO_CHANNEL });
}

/** What each shard's session was sent: only its own guilds' events, DMs only on shard 0. */
function guildsSentByShard(fake: FakeDiscord): Record<number, string[]> {
  return Object.fromEntries(fake.gateway.readySessions.map((s) => [s.shard[0], [...s.guildsSent].sort()]));
}

const identifiedShards = (fake: FakeDiscord) => fake.gateway.identifies.map((i) => JSON.stringify(i.shard)).sort();

/** Real discord.js sharded against the fake Discord (sharded as Discord documents it), real core, fake Dify. */
describe.concurrent("discord end to end: a sharded gateway", () => {
  it("takes Discord's recommended two shards and answers mentions in guilds on both, and DMs (shard 0)", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { fake: { recommendedShards: 2, maxConcurrency: 2 }, prepare: addShardZeroGuild });
    dify.onChat((turn) => scripts.answer(`Answer to ${turn.query}`));
    expect(shardOf(fake.ids.guild, 2)).toBe(1);
    expect(shardOf(ZERO_GUILD, 2)).toBe(0);
    expect(identifiedShards(fake)).toEqual(["[0,2]", "[1,2]"]);
    expect(fake.gateway.readySessions.map((s) => s.shard[0]).sort()).toEqual([0, 1]);

    const onShardOne = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> first shard question` });
    const onShardZero = fake.users.sendMessage({ channelId: SHARD_ZERO_CHANNEL, content: `<@${fake.ids.bot}> zeroth shard question` });
    const dm = fake.users.sendDirectMessage({ authorId: fake.ids.alice, content: "a direct question" });

    const [one] = await eventually(() => finalBotMessages(fake, onShardOne.id), 20_000);
    const [zero] = await eventually(() => finalBotMessages(fake, onShardZero.id), 20_000);
    const [direct] = await eventually(() => finalBotMessages(fake, dm.channel_id), 20_000);
    expect(one?.content).toBe("Answer to first shard question");
    expect(zero?.content).toBe("Answer to zeroth shard question");
    expect(direct?.content).toBe("Answer to a direct question");
    expect(dify.chatRequests.map((r) => r.chat.query).sort()).toEqual(["a direct question", "first shard question", "zeroth shard question"]);
    expect(guildsSentByShard(fake)).toEqual({ 0: ["", ZERO_GUILD], 1: [fake.ids.guild, fake.ids.otherGuild].sort() });
  });

  it("two ingress processes with DISCORD_SHARD_COUNT=2 and disjoint DISCORD_SHARD_IDS each take their own guilds, once", async ({ expect, onTestFinished }) => {
    const sharded = { DISCORD_SHARD_COUNT: "2" };
    // This process (ingress and worker) runs shard 1; a second ingress process runs shard 0.
    const { fake, dify, harness } = await startDiscordE2E(
      { onTestFinished },
      { discordEnv: { ...sharded, DISCORD_SHARD_IDS: "1" }, prepare: addShardZeroGuild },
    );
    dify.onChat((turn) => scripts.answer(`Answer to ${turn.query}`));
    const config = parseDiscordConfig({ DISCORD_BOT_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl, ...sharded, DISCORD_SHARD_IDS: "0" });
    const core = parseCoreConfig({ DIFY_API_URL: dify.baseUrl, DIFY_API_KEY: dify.apiKey, REDIS_URL, BRIDGE_ROLE: "ingress", USER_RATE_LIMIT: "off" });
    if (!config.ok || !config.value || !core.ok) throw new Error("bad test config");
    const second = new Bridge({
      config: core.value,
      platforms: [createDiscordPlatform(config.value, { logger: captureLogger(), restTimeoutMs: 5_000, readyTimeoutMs: 10_000 })],
      logger: captureLogger(),
      redisPrefix: harness.prefix,
      queueName: "replies",
      metrics: new BridgeMetrics({ defaultMetrics: false }),
      http: false,
    });
    onTestFinished(() => second.shutdown());
    await second.start();
    expect(identifiedShards(fake)).toEqual(["[0,2]", "[1,2]"]);

    const onShardOne = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> for shard one` });
    const onShardZero = fake.users.sendMessage({ channelId: SHARD_ZERO_CHANNEL, content: `<@${fake.ids.bot}> for shard zero` });
    await eventually(() => finalBotMessages(fake, onShardOne.id), 20_000);
    await eventually(() => finalBotMessages(fake, onShardZero.id), 20_000);
    await settle();
    // Each mention reached exactly one process (its shard's) and was answered once.
    expect(dify.chatRequests.map((r) => r.chat.query).sort()).toEqual(["for shard one", "for shard zero"]);
    expect(fake.botMessages(onShardOne.id)).toHaveLength(1);
    expect(fake.botMessages(onShardZero.id)).toHaveLength(1);
    expect(fake.requestsTo("POST", /\/threads$/)).toHaveLength(2);
    expect(guildsSentByShard(fake)).toEqual({ 0: [ZERO_GUILD], 1: [fake.ids.guild, fake.ids.otherGuild].sort() });
  });
});
