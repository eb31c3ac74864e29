import { describe, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { startStandaloneRedis } from "../../support/redis-topology.js";
import { finalBotMessages, settle, startDiscordE2E } from "./support.js";

const COULD_NOT_TAKE = "⚠️ Sorry, I could not take your message just now. Please send it again in a minute.";

/**
 * Discord never sends a gateway event twice, so a message that arrives while Redis is down must not be lost:
 * the bridge holds it in memory until Redis is back (then it is queued and answered), or tells the person it
 * could not be taken. The test runs its own redis-server, kills it (SIGKILL) and starts it again.
 */
describe("discord end to end: messages while Redis is down", () => {
  it("a mention that arrives while Redis is down is held and answered once Redis is back; past the buffer's size the person is told; the counts are in /metrics", async ({
    expect,
    onTestFinished,
  }) => {
    const redis = await startStandaloneRedis();
    onTestFinished(() => redis.stop());
    const { fake, dify, harness } = await startDiscordE2E({ onTestFinished }, { env: { REDIS_URL: redis.url, OUTAGE_BUFFER_EVENTS: "1" } });
    dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const warmUp = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> before the outage` });
    await eventually(() => finalBotMessages(fake, warmUp.id), 15_000);

    await redis.kill();
    const held = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> during the outage` });
    await eventually(() => harness.logs.some((l) => l.msg === "event could not be stored; holding it until Redis is back"), 15_000);
    // The buffer holds one: the next mention is refused, and its author hears so at once (where answers go: a thread on it).
    const refused = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> one too many` });
    const told = await eventually(() => fake.botMessages(refused.id).find((m) => m.content === COULD_NOT_TAKE), 10_000);
    expect(told.content).toBe(COULD_NOT_TAKE);
    await settle(1_000);
    expect(dify.chatRequests.map((r) => r.chat.query)).toEqual(["before the outage"]);
    const metrics = await harness.bridge.metrics.registry.metrics();
    expect(metrics).toMatch(/bridge_events_held\{platform="discord"\} 1\b/);

    await redis.restart();
    const [answer] = await eventually(() => finalBotMessages(fake, held.id), 30_000);
    expect(answer?.content).toBe("A: during the outage");
    await settle(500);
    expect(dify.chatRequests.map((r) => r.chat.query)).toEqual(["before the outage", "during the outage"]);
    // The refused one was never asked: its thread holds the notice only.
    expect(fake.botMessages(refused.id).map((m) => m.content)).toEqual([COULD_NOT_TAKE]);
    const after = await harness.bridge.metrics.registry.metrics();
    expect(after).toMatch(/bridge_events_held_total\{platform="discord"\} 1\b/);
    expect(after).toMatch(/bridge_events_dropped_total\{platform="discord",reason="buffer_full"\} 1\b/);
    expect(after).not.toMatch(/bridge_events_held\{platform="discord"\} [1-9]/);
  }, 90_000);

  it("a held mention whose wait runs out is answered with the notice, and not asked when Redis returns", async ({ expect, onTestFinished }) => {
    const redis = await startStandaloneRedis();
    onTestFinished(() => redis.stop());
    const { fake, dify, harness } = await startDiscordE2E({ onTestFinished }, { env: { REDIS_URL: redis.url, OUTAGE_BUFFER_WAIT_MS: "2000" } });
    dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));

    await redis.kill();
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> nobody will answer this` });
    const told = await eventually(() => fake.botMessages(q.id).find((m) => m.content === COULD_NOT_TAKE), 15_000);
    expect(told.content).toBe(COULD_NOT_TAKE);

    await redis.restart();
    await settle(3_000);
    expect(dify.chatRequests).toEqual([]);
    expect(fake.botMessages(q.id).map((m) => m.content)).toEqual([COULD_NOT_TAKE]);
    expect(await harness.bridge.metrics.registry.metrics()).toMatch(/bridge_events_dropped_total\{platform="discord",reason="waited_too_long"\} 1\b/);
  }, 60_000);
});
