import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Bridge } from "../../../src/app/create-bridge.js";
import { type FakeDifyServer, scripts } from "../../fakes/dify/index.js";
import { type FakeSlackApi, SlackEventsSender, slackTs } from "../../fakes/slack/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { SIGNING_SECRET, SlackProcessRig } from "./slack-process-rig.js";

const ANSWER = Array.from({ length: 60 }, (_, i) => `step${i}`).join(" ");

/**
 * The native path of the Slack AI app (status line, no placeholder, one streamed message): the worker is
 * SIGKILLed while its stream is open. Another worker process recovers the job once the dead worker's lock
 * lapses. Sampled on every change the fake Slack recorded, the thread never shows two bot messages at once: the
 * recovery removes the interrupted stream before it shows the recovered answer.
 */
describe("takeover on the native path: a worker killed while its stream is open", () => {
  let rig: SlackProcessRig;
  let slack: FakeSlackApi;
  let dify: FakeDifyServer;
  let ingress: Bridge;
  const spawnWorker = (env: Record<string, string> = {}) => rig.spawnWorker(env);

  beforeEach(async () => {
    rig = await SlackProcessRig.start({ name: "takeover-native", slackEnv: { SLACK_STREAMING: "native", SLACK_AI_APP: "true" } });
    ({ slack, dify } = rig);
    ingress = await rig.startInProcess("ingress");
  });

  afterEach(async () => rig?.close());

  it("the recovered answer replaces the open stream: one bot message at every moment, Dify asked once", async () => {
    dify.onChat(() => scripts.answer(ANSWER, { chunkChars: 6, delayMs: 120 }));
    const first = await spawnWorker();
    const ts = slackTs();
    const body = slack.payloads.envelope(slack.payloads.appMention({ channel: "C0GENERAL", user: "U1", text: `<@${slack.team.botUserId}> the steps?`, ts }));
    expect((await new SlackEventsSender(`http://127.0.0.1:${ingress.httpPort}/slack/events`, SIGNING_SECRET).sendEvent(body)).status).toBe(200);
    const botMessages = () => slack.messages.thread("C0GENERAL", ts).filter((m) => m.botId);

    // Killed while the answer streams natively into its one message.
    await eventually(() => botMessages().find((m) => m.stream === "streaming" && m.markdown.includes("step3")), 15_000);
    const second = await spawnWorker();
    first.child.kill("SIGKILL");
    await first.exited;
    expect(slack.callsTo("chat.postMessage")).toHaveLength(0);

    await second.waitForLog((l) => l.msg === "recovering an interrupted answer", 30_000);
    const settled = await eventually(() => {
      const shown = botMessages();
      return shown.length === 1 && shown[0]?.stream !== "streaming" && /Recovered after an interruption|interrupted/.test(shown[0]?.markdown ?? "")
        ? shown
        : undefined;
    }, 30_000);
    expect(settled).toHaveLength(1);
    const samples = slack.messages.threadSamples("C0GENERAL", ts);
    expect(samples.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...samples.map((s) => s.visibleBotMessages))).toBe(1);
    expect(dify.chatRequests).toHaveLength(1);
  }, 60_000);

  it("a worker killed after Slack started its stream, before it recorded the ts: the next run adopts that stream, one bot message throughout", async () => {
    const answer = "Rotate the key in Settings, then update the CI secret and redeploy.";
    dify.onChat(() => scripts.answer(answer, { chunkChars: 8, delayMs: 20 }));
    // Slack performs the start (the thread shows the stream) and holds its answer: the worker never learns the ts.
    const held = slack.withholdNextAnswer("chat.startStream");
    const first = await spawnWorker();
    const ts = slackTs();
    const body = slack.payloads.envelope(
      slack.payloads.appMention({ channel: "C0GENERAL", user: "U1", text: `<@${slack.team.botUserId}> rotate the key?`, ts }),
    );
    expect((await new SlackEventsSender(`http://127.0.0.1:${ingress.httpPort}/slack/events`, SIGNING_SECRET).sendEvent(body)).status).toBe(200);
    const botMessages = () => slack.messages.thread("C0GENERAL", ts).filter((m) => m.botId);

    await held.performed;
    // Dify finished the answer (stored whole) while the start's answer was held.
    expect(await (await dify.waitForStream()).done).toBe("completed");
    first.child.kill("SIGKILL");
    await first.exited;
    held.release();
    expect(botMessages().map((m) => m.stream)).toEqual(["streaming"]);

    const second = await spawnWorker();
    // The recovered answer (Dify stored it whole), then the turn delivered: its state is final.
    await eventually(() => botMessages().some((m) => m.stream !== "streaming" && m.markdown.includes(answer)) || undefined, 30_000).catch((err: unknown) => {
      throw new Error(`no answer: ${JSON.stringify(botMessages().map((m) => [m.stream, m.markdown]))}`, { cause: err });
    });
    await second.waitForLog((l) => l.msg === "answer delivered", 10_000);
    const settled = botMessages();
    expect(settled.map((m) => m.stream)).toEqual(["stopped"]);
    // The one message is the stream the first run started, now holding the whole answer and the turn's key.
    expect(settled[0]?.markdown).toContain(answer);
    expect(settled[0]?.revisions[0]?.via).toBe("chat.startStream");
    expect(settled[0]?.metadata?.event_type).toBe("dify_bridge_reply");
    expect(slack.messages.thread("C0GENERAL", ts, { includeDeleted: true }).filter((m) => m.botId)).toHaveLength(1);
    expect(slack.callsTo("chat.startStream")).toHaveLength(1);
    expect(slack.callsTo("chat.postMessage")).toHaveLength(0);
    // Sampled on every change the fake recorded: never two bot messages at once.
    const samples = slack.messages.threadSamples("C0GENERAL", ts);
    expect(samples.map((s) => s.via)).toEqual(expect.arrayContaining(["chat.startStream", "chat.stopStream", "chat.update"]));
    expect(Math.max(...samples.map((s) => s.visibleBotMessages))).toBe(1);
    expect(dify.chatRequests).toHaveLength(1);
    await second.waitForLog((l) => l.msg === "adopted the message an earlier run streamed into");
  }, 60_000);

  it("a classic app (placeholder posted, stream below it): the stream the dead worker never recorded is removed, the answer lands in the placeholder", async () => {
    const answer = "Rotate the key in Settings, then update the CI secret and redeploy.";
    const classic = { SLACK_AI_APP: "false" };
    dify.onChat(() => scripts.answer(answer, { chunkChars: 8, delayMs: 20 }));
    const held = slack.withholdNextAnswer("chat.startStream");
    const first = await spawnWorker(classic);
    const ts = slackTs();
    const body = slack.payloads.envelope(
      slack.payloads.appMention({ channel: "C0GENERAL", user: "U1", text: `<@${slack.team.botUserId}> rotate the key?`, ts }),
    );
    expect((await new SlackEventsSender(`http://127.0.0.1:${ingress.httpPort}/slack/events`, SIGNING_SECRET).sendEvent(body)).status).toBe(200);
    const botMessages = () => slack.messages.thread("C0GENERAL", ts).filter((m) => m.botId);

    await held.performed;
    expect(await (await dify.waitForStream()).done).toBe("completed");
    first.child.kill("SIGKILL");
    await first.exited;
    held.release();
    // The placeholder with its Stop button, and the stream below it that the worker never heard back about.
    expect(botMessages().map((m) => m.stream)).toEqual(["none", "streaming"]);
    const placeholderTs = botMessages()[0]?.ts;

    const second = await spawnWorker(classic);
    await eventually(() => botMessages().some((m) => m.markdown.includes(answer)) || undefined, 30_000).catch((err: unknown) => {
      throw new Error(`no answer: ${JSON.stringify(botMessages().map((m) => [m.stream, m.markdown]))}`, { cause: err });
    });
    await second.waitForLog((l) => l.msg === "answer delivered", 10_000);
    const settled = botMessages();
    expect(settled.map((m) => m.ts)).toEqual([placeholderTs]);
    expect(settled[0]?.markdown).toContain(answer);
    expect(slack.callsTo("chat.startStream")).toHaveLength(1);
    // Never more than the placeholder and its stream at once, and the recovered answer never beside the stream.
    const samples = slack.messages.threadSamples("C0GENERAL", ts);
    expect(Math.max(...samples.map((s) => s.visibleBotMessages))).toBe(2);
    const removedAt = samples.findIndex((s) => s.via === "chat.delete");
    expect(removedAt).toBeGreaterThan(0);
    expect(samples.slice(removedAt).every((s) => s.visibleBotMessages === 1)).toBe(true);
    expect(dify.chatRequests).toHaveLength(1);
  }, 60_000);
});
