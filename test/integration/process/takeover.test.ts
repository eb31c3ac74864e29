import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Bridge } from "../../../src/app/create-bridge.js";
import { type FakeDifyServer, scripts, steps } from "../../fakes/dify/index.js";
import { type FakeSlackApi, SlackEventsSender, slackTs } from "../../fakes/slack/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { SIGNING_SECRET, SlackProcessRig } from "./slack-process-rig.js";

const ANSWER = Array.from({ length: 30 }, (_, i) => `step${i}`).join(" ");
const RECOVERED = `${ANSWER}\n\n⚠️ Recovered after an interruption: this answer may be incomplete.`;

/**
 * Dify has answered in full, but Slack refused every update meanwhile (HTTP 500), so the reply still says
 * "Thinking…" when its worker is SIGKILLed. Another worker process, already running, takes the job over once the
 * dead worker's lock lapses (its time is measured in bench/takeover.ts, not here) and shows the whole answer in
 * that one reply, without asking Dify again.
 */
describe("takeover: a worker killed mid-answer", () => {
  let rig: SlackProcessRig;
  let slack: FakeSlackApi;
  let dify: FakeDifyServer;
  let ingress: Bridge;
  const spawnWorker = (env: Record<string, string> = {}) => rig.spawnWorker(env);

  beforeEach(async () => {
    rig = await SlackProcessRig.start({ name: "takeover" });
    ({ slack, dify } = rig);
    ingress = await rig.startInProcess("ingress");
  });

  afterEach(async () => rig?.close());

  it("another running worker resumes it: one reply, holding the whole answer Dify stored; Dify asked once", async () => {
    dify.onChat(() => scripts.answer(ANSWER, { chunkChars: 12, delayMs: 15 }));
    const first = await spawnWorker();
    const ts = slackTs();
    // Updates fail while the answer streams; the placeholder post itself goes through.
    slack.outage(["chat.update"], { status: 500, durationMs: 60_000 });
    const body = slack.payloads.envelope(slack.payloads.appMention({ channel: "C0GENERAL", user: "U1", text: `<@${slack.team.botUserId}> the steps?`, ts }));
    expect((await new SlackEventsSender(`http://127.0.0.1:${ingress.httpPort}/slack/events`, SIGNING_SECRET).sendEvent(body)).status).toBe(200);
    const botMessages = () => slack.messages.thread("C0GENERAL", ts).filter((m) => m.botId);

    await eventually(() => dify.streams[0]?.endReason !== undefined, 15_000);
    expect(dify.store.messages.get(dify.streams[0]?.messageId ?? "")?.answer).toBe(ANSWER);
    const second = await spawnWorker();
    first.child.kill("SIGKILL");
    await first.exited;
    expect(botMessages().map((m) => m.markdown)).toEqual(["_Thinking…_"]);
    slack.endOutages();

    await eventually(() => botMessages().some((m) => m.markdown === RECOVERED), 30_000).catch((err: unknown) => {
      throw new Error(`not resumed: ${JSON.stringify(botMessages().map((m) => m.markdown))}; ${JSON.stringify(second.logs.map((l) => l.msg))}`, { cause: err });
    });
    await second.waitForLog((l) => l.msg === "recovering an interrupted answer");
    expect(botMessages().map((m) => m.markdown)).toEqual([RECOVERED]);
    expect(slack.callsTo("chat.postMessage").filter((c) => c.status === 200)).toHaveLength(1);
    expect(dify.chatRequests).toHaveLength(1);
  }, 60_000);

  it("a worker killed after sending the question, before Dify's first byte: the next worker finds the question in Dify and shows its stored answer; Dify asked once", async () => {
    // Dify stores the question and its answer, but its response (headers included) is held back: the worker waits.
    dify.configure({ pingIntervalMs: 600_000 });
    dify.onChat(() => [steps.storedUnsent("The answer Dify kept."), steps.delay(120_000)]);
    const first = await spawnWorker();
    const ts = slackTs();
    const body = slack.payloads.envelope(slack.payloads.appMention({ channel: "C0GENERAL", user: "U1", text: `<@${slack.team.botUserId}> anyone there?`, ts }));
    expect((await new SlackEventsSender(`http://127.0.0.1:${ingress.httpPort}/slack/events`, SIGNING_SECRET).sendEvent(body)).status).toBe(200);
    const botMessages = () => slack.messages.thread("C0GENERAL", ts).filter((m) => m.botId);

    await eventually(() => dify.chatRequests.length === 1, 15_000);
    const second = await spawnWorker();
    first.child.kill("SIGKILL");
    await first.exited;

    await eventually(() => botMessages().some((m) => m.markdown === "The answer Dify kept."), 30_000).catch((err: unknown) => {
      throw new Error(`not resumed: ${JSON.stringify(botMessages().map((m) => m.markdown))}; ${JSON.stringify(second.logs.map((l) => l.msg))}`, { cause: err });
    });
    expect(second.logs.some((l) => l.msg === "an earlier run had asked this question; showing Dify's stored answer instead of asking again")).toBe(true);
    expect(botMessages().map((m) => m.markdown)).toEqual(["The answer Dify kept."]);
    expect(dify.chatRequests).toHaveLength(1);
  }, 60_000);
});
