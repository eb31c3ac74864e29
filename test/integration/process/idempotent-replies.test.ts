import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDiscordConfig } from "../../../adapters/discord/config.js";
import { createDiscordPlatform } from "../../../adapters/discord/index.js";
import { parseSlackConfig } from "../../../adapters/slack/config.js";
import { createSlackPlatform } from "../../../adapters/slack/index.js";
import { Bridge } from "../../../src/app/create-bridge.js";
import { parseCoreConfig } from "../../../src/config/config.js";
import type { ChatPlatform } from "../../../src/contracts/chat-platform.js";
import { BridgeMetrics } from "../../../src/observability/metrics.js";
import { FakeDifyServer, scripts } from "../../fakes/dify/index.js";
import { FakeDiscord } from "../../fakes/discord/index.js";
import { FakeSlackApi, SlackEventsSender, slackTs } from "../../fakes/slack/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { type BridgeProcess, startBridgeProcess } from "../../support/bridge-process.js";
import { captureLogger } from "../../support/capture-logger.js";
import { deleteByPrefix, openRedis, REDIS_URL } from "../../support/redis.js";

const SIGNING_SECRET = "idempotent-test-signing-secret";
const ANSWER = "Rotate the key in Settings, then update the CI secret.";

/**
 * The placeholder is posted, the platform keeps it, and the worker is SIGKILLed before the answer to that post
 * reaches it (the fake holds the answer back until the process is dead), so the job has no record of it. The
 * worker that takes the job over must find that message (Slack: its metadata in conversations.replies) or get it
 * back (Discord: the same nonce with enforce_nonce) and answer in it: one bot message, holding the answer.
 */
describe("a worker killed between posting the placeholder and recording it", () => {
  let dify: FakeDifyServer;
  let ingress: Bridge | undefined;
  let prefix: string;
  const workers: BridgeProcess[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    prefix = `idem-${randomUUID().slice(0, 8)}`;
    dify = await FakeDifyServer.start();
    dify.onChat(() => scripts.answer(ANSWER, { chunkChars: 8, delayMs: 20 }));
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
      await w.exited;
    }
    await ingress?.shutdown();
    ingress = undefined;
    for (const close of closers.splice(0).reverse()) await close();
    await dify.close();
    const redis = openRedis();
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  function coreEnv(): Record<string, string> {
    return { DIFY_API_URL: dify.baseUrl, DIFY_API_KEY: dify.apiKey, REDIS_URL, REDIS_PREFIX: prefix, PORT: "0", USER_RATE_LIMIT: "off" };
  }

  async function startIngress(platform: ChatPlatform): Promise<Bridge> {
    const core = parseCoreConfig({ ...coreEnv(), BRIDGE_ROLE: "ingress" });
    if (!core.ok) throw new Error(core.issues.join("\n"));
    const bridge = new Bridge({ config: core.value, platforms: [platform], logger: captureLogger(), metrics: new BridgeMetrics({ defaultMetrics: false }) });
    await bridge.start();
    ingress = bridge;
    return bridge;
  }

  async function spawnWorker(env: Record<string, string>): Promise<BridgeProcess> {
    const w = startBridgeProcess({ ...coreEnv(), BRIDGE_ROLE: "worker", JOB_LOCK_MS: "3000", ...env });
    workers.push(w);
    await w.waitForLog((l) => l.msg === "dify-bridge started");
    return w;
  }

  async function kill(w: BridgeProcess): Promise<void> {
    w.child.kill("SIGKILL");
    await w.exited;
  }

  it("Slack: the next worker finds the placeholder by its metadata and answers in it", async () => {
    const slack = await FakeSlackApi.start();
    closers.push(() => slack.close());
    const slackEnv = { SLACK_BOT_TOKEN: slack.team.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, SLACK_AI_APP: "false" };
    const slackConfig = parseSlackConfig(slackEnv);
    if (!slackConfig.ok || !slackConfig.value) throw new Error("bad test config");
    const bridge = await startIngress(createSlackPlatform(slackConfig.value, { logger: captureLogger() }));
    const held = slack.withholdNextAnswer("chat.postMessage");
    const first = await spawnWorker(slackEnv);

    const ts = slackTs();
    const body = slack.payloads.envelope(
      slack.payloads.appMention({ channel: "C0GENERAL", user: "U1", text: `<@${slack.team.botUserId}> How do I rotate the key?`, ts }),
    );
    expect((await new SlackEventsSender(`http://127.0.0.1:${bridge.httpPort}/slack/events`, SIGNING_SECRET).sendEvent(body)).status).toBe(200);

    await held.performed;
    await kill(first);
    held.release();
    const botMessages = () => slack.messages.thread("C0GENERAL", ts).filter((m) => m.botId);
    expect(botMessages().map((m) => m.markdown)).toEqual(["_Thinking…_"]);

    const second = await spawnWorker(slackEnv);
    await eventually(() => botMessages().some((m) => m.markdown === ANSWER), 25_000).catch((err: unknown) => {
      throw new Error(`no answer: ${JSON.stringify(botMessages().map((m) => m.markdown))}; ${JSON.stringify(second.logs.map((l) => l.msg))}`, { cause: err });
    });
    await second.waitForLog((l) => l.msg === "adopted the placeholder an earlier run posted");
    // One bot message in the thread, holding the answer (streamed natively, the adopted placeholder is removed
    // at the stop; edited, it is that placeholder): no second "Thinking…" left behind.
    // The placeholder goes once the stream has stopped, which may land just after the answer shows.
    await eventually(() => botMessages().length === 1, 10_000).catch(() => undefined);
    expect(botMessages().map((m) => m.markdown)).toEqual([ANSWER]);
    expect(slack.callsTo("chat.postMessage").filter((c) => c.status === 200)).toHaveLength(1);
    expect(dify.chatRequests).toHaveLength(1);
  }, 60_000);

  it("Discord: the next worker posts with the same nonce, gets the first placeholder back and answers in it", async () => {
    const fake = await FakeDiscord.start({ heartbeatIntervalMs: 250 });
    closers.push(() => fake.close());
    const discordEnv = { DISCORD_BOT_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl };
    const parsed = parseDiscordConfig(discordEnv);
    if (!parsed.ok || parsed.value === null) throw new Error("bad Discord test config");
    await startIngress(createDiscordPlatform(parsed.value, { logger: captureLogger(), restTimeoutMs: 5_000, readyTimeoutMs: 10_000 }));
    const held = fake.withholdNextResponse({ method: "POST", path: /^\/channels\/\d+\/messages$/ });
    const first = await spawnWorker(discordEnv);

    const question = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> How do I rotate the key?` });
    await held.performed;
    await kill(first);
    held.release();
    // The thread opened on the question holds the placeholder the dead worker never heard back about.
    expect(fake.botMessages(question.id)).toHaveLength(1);

    const second = await spawnWorker(discordEnv);
    await eventually(() => fake.botMessages(question.id).some((m) => m.content === ANSWER), 25_000).catch((err: unknown) => {
      throw new Error(`no answer: ${JSON.stringify(fake.botMessages(question.id).map((m) => m.content))}; ${JSON.stringify(second.logs.map((l) => l.msg))}`, {
        cause: err,
      });
    });
    expect(fake.botMessages(question.id).map((m) => m.content)).toEqual([ANSWER]);
    expect(fake.world.messages.get(question.id)?.filter((m) => m.author.id === fake.ids.bot)).toHaveLength(1);
    // Both workers posted the placeholder with the same nonce, enforced: Discord created one message.
    const posts = fake.requestsTo("POST", /^\/channels\/\d+\/messages$/).map((r) => r.json as { nonce?: string; enforce_nonce?: boolean });
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(posts.map((p) => p.nonce)).size).toBe(1);
    expect(posts.every((p) => p.enforce_nonce === true)).toBe(true);
    expect(dify.chatRequests).toHaveLength(1);
  }, 60_000);
});
