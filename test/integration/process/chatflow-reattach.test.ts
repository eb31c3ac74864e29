import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseSlackConfig } from "../../../adapters/slack/config.js";
import { createSlackPlatform } from "../../../adapters/slack/index.js";
import { Bridge } from "../../../src/app/create-bridge.js";
import { parseCoreConfig } from "../../../src/config/config.js";
import { BridgeMetrics } from "../../../src/observability/metrics.js";
import { createGate, dify2026Options, FakeDifyServer, scripts, steps } from "../../fakes/dify/index.js";
import { FakeSlackApi, type FakeSlackMessage, SlackEventsSender, slackTs } from "../../fakes/slack/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { type BridgeProcess, startBridgeProcess } from "../../support/bridge-process.js";
import { captureLogger } from "../../support/capture-logger.js";
import { deleteByPrefix, openRedis, REDIS_URL } from "../../support/redis.js";

const SIGNING_SECRET = "reattach-test-signing-secret";
const PART_A = Array.from({ length: 12 }, (_, i) => `alpha${i}`).join(" ");
const PART_A2 = " then more words the first worker never saw";
const PART_B = " and the end of the answer.";

/**
 * A Chatflow run outlives the process that asked (Dify 1.13+, docs/dify-2026.md §1–2): the bridge keeps the
 * run's id with the job, so a worker that dies mid-answer, or a bridge restarted while a form waits for a click,
 * costs nothing: the next process follows the same run and finishes the same reply.
 */
describe("a Chatflow run followed across processes", () => {
  let slack: FakeSlackApi;
  let dify: FakeDifyServer;
  let prefix: string;
  const bridges: Bridge[] = [];
  const workers: BridgeProcess[] = [];

  const slackEnv = () => ({ SLACK_BOT_TOKEN: slack.team.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, SLACK_STREAMING: "edit" });
  const coreEnv = () => ({ DIFY_API_URL: dify.baseUrl, DIFY_API_KEY: dify.apiKey, REDIS_URL, REDIS_PREFIX: prefix, PORT: "0", USER_RATE_LIMIT: "off" });

  async function startInProcess(role: "ingress" | "all"): Promise<Bridge> {
    const core = parseCoreConfig({ ...coreEnv(), BRIDGE_ROLE: role, SHUTDOWN_GRACE_MS: "1000" });
    const slackConfig = parseSlackConfig(slackEnv());
    if (!core.ok || !slackConfig.ok || !slackConfig.value) throw new Error("bad test config");
    const bridge = new Bridge({
      config: core.value,
      platforms: [createSlackPlatform(slackConfig.value, { logger: captureLogger() })],
      logger: captureLogger(),
      metrics: new BridgeMetrics({ defaultMetrics: false }),
    });
    bridges.push(bridge);
    await bridge.start();
    return bridge;
  }

  async function spawnWorker(): Promise<BridgeProcess> {
    const w = startBridgeProcess({ ...coreEnv(), ...slackEnv(), BRIDGE_ROLE: "worker", JOB_LOCK_MS: "3000" });
    workers.push(w);
    await w.waitForLog((l) => l.msg === "dify-bridge started");
    return w;
  }

  const sender = (bridge: Bridge) => new SlackEventsSender(`http://127.0.0.1:${bridge.httpPort}/slack/events`, SIGNING_SECRET);
  async function mention(bridge: Bridge, text: string): Promise<string> {
    const ts = slackTs();
    const body = slack.payloads.envelope(slack.payloads.appMention({ channel: "C0GENERAL", user: "U1", text: `<@${slack.team.botUserId}> ${text}`, ts }));
    expect((await sender(bridge).sendEvent(body)).status).toBe(200);
    return ts;
  }
  const botMessages = (ts: string): FakeSlackMessage[] => slack.messages.thread("C0GENERAL", ts).filter((m) => m.botId);

  beforeEach(async () => {
    prefix = `reattach-${randomUUID().slice(0, 8)}`;
    slack = await FakeSlackApi.start();
    dify = await FakeDifyServer.start({ ...dify2026Options(), mode: "advanced-chat" });
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
      await w.exited;
    }
    for (const b of bridges.splice(0)) await b.shutdown();
    await dify.close();
    await slack.close();
    const redis = openRedis();
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  it("a worker SIGKILLed mid-Chatflow: another worker re-attaches to the run and completes the same reply, with no stop and no text twice", async () => {
    const afterKill = createGate();
    const afterReattach = createGate();
    const llm = { executionId: randomUUID(), nodeId: "1718000000001", nodeType: "llm", title: "LLM", index: 1 };
    dify.onChat(() => [
      steps.workflowStarted(),
      steps.nodeStarted(llm),
      ...PART_A.split(" ").map((w, i) => steps.message(i === 0 ? w : ` ${w}`)),
      steps.waitFor(afterKill),
      steps.message(PART_A2),
      steps.waitFor(afterReattach),
      steps.message(PART_B),
      steps.nodeFinished(llm),
      steps.messageEnd(),
      steps.workflowFinished({ status: "succeeded" }),
    ]);
    const ingress = await startInProcess("ingress");
    const first = await spawnWorker();
    const ts = await mention(ingress, "the long one");
    // The first worker shows part of the answer, then dies.
    await eventually(() => botMessages(ts)[0]?.markdown.startsWith("alpha0"), 15_000);
    const second = await spawnWorker();
    first.child.kill("SIGKILL");
    await first.exited;
    afterKill.open();

    await eventually(() => dify.workflowEventsRequests.length > 0, 30_000);
    expect(dify.workflowEventsRequests[0]?.query).toMatchObject({ include_state_snapshot: "true" });
    afterReattach.open();
    const answer = `${PART_A}${PART_A2}${PART_B}`;
    await eventually(() => botMessages(ts)[0]?.markdown === answer, 30_000).catch((err: unknown) => {
      throw new Error(`not completed: ${JSON.stringify(botMessages(ts).map((m) => m.markdown))}; ${JSON.stringify(second.logs.map((l) => l.msg))}`, {
        cause: err,
      });
    });
    await second.waitForLog((l) => l.msg === "re-attaching to the interrupted answer's Dify run");
    const [reply] = botMessages(ts);
    expect(botMessages(ts)).toHaveLength(1);
    expect(slack.callsTo("chat.postMessage").filter((c) => c.status === 200)).toHaveLength(1);
    // Every text the reply showed is a prefix of the answer: nothing was shown twice or taken back.
    for (const r of reply?.revisions.slice(1) ?? []) expect(answer.startsWith(r.markdown), r.markdown).toBe(true);
    expect(dify.stopRequests).toHaveLength(0);
    expect(dify.chatRequests).toHaveLength(1);
    expect(dify.streams[0]?.isStopRequested).toBe(false);
  }, 60_000);

  it("a run that finished while no worker followed it: the next worker shows Dify's stored answer, whole, in the same reply", async () => {
    const afterKill = createGate();
    dify.onChat(() => [
      steps.workflowStarted(),
      steps.message(PART_A),
      steps.waitFor(afterKill),
      steps.message(PART_A2),
      steps.message(PART_B),
      steps.messageEnd(),
      steps.workflowFinished({ status: "succeeded" }),
    ]);
    const ingress = await startInProcess("ingress");
    const first = await spawnWorker();
    const ts = await mention(ingress, "the long one");
    await eventually(() => botMessages(ts)[0]?.markdown.startsWith("alpha0"), 15_000);
    first.child.kill("SIGKILL");
    await first.exited;
    afterKill.open();
    // The run ends in Dify before any worker is back: its events endpoint has only workflow_finished to give.
    await eventually(() => [...dify.workflowRuns.runs.values()].some((r) => r.finishedEvent !== undefined), 15_000);
    const second = await spawnWorker();
    const answer = `${PART_A}${PART_A2}${PART_B}`;
    await eventually(() => botMessages(ts)[0]?.markdown === answer, 30_000).catch((err: unknown) => {
      throw new Error(`not completed: ${JSON.stringify(botMessages(ts).map((m) => m.markdown))}; ${JSON.stringify(second.logs.map((l) => l.msg))}`, {
        cause: err,
      });
    });
    expect(botMessages(ts)).toHaveLength(1);
    expect(dify.stopRequests).toHaveLength(0);
    expect(dify.chatRequests).toHaveLength(1);
  }, 60_000);

  it("on a Dify without the events endpoint (1.12) a recovered Chatflow job keeps stopping the task and showing what Dify stored", async () => {
    await dify.close();
    dify = await FakeDifyServer.start({ mode: "advanced-chat" });
    const gate = createGate();
    dify.onChat(() => [
      steps.workflowStarted(),
      steps.message(PART_A),
      steps.waitFor(gate),
      steps.message(PART_B),
      steps.messageEnd(),
      steps.workflowFinished(),
    ]);
    const ingress = await startInProcess("ingress");
    const first = await spawnWorker();
    const ts = await mention(ingress, "the long one");
    await eventually(() => botMessages(ts)[0]?.markdown.startsWith("alpha0"), 15_000);
    const second = await spawnWorker();
    first.child.kill("SIGKILL");
    await first.exited;
    await second.waitForLog((l) => l.msg === "recovering an interrupted answer", 30_000);
    await eventually(() => botMessages(ts)[0]?.markdown.includes("Recovered after an interruption"), 15_000);
    expect(dify.workflowEventsRequests).toHaveLength(0);
    expect(dify.requests.some((r) => r.path.includes("/workflow/") && r.status === 404)).toBe(true);
    expect(dify.stopRequests.length).toBeGreaterThanOrEqual(1);
    expect(botMessages(ts)).toHaveLength(1);
    gate.open();
  }, 60_000);

  it("the bridge restarted between the pause and the click still completes the answer in the same reply", async () => {
    dify.onChat(
      scripts.chatflowWithForms(
        "Draft ready.",
        [{ nodeTitle: "Approval", formContent: "Publish?", actions: [{ id: "approve", title: "Approve", buttonStyle: "primary" }] }],
        " Published.",
      ),
    );
    const before = await startInProcess("all");
    const ts = await mention(before, "write it");
    const form = await eventually(() => botMessages(ts).find((m) => m.markdown.endsWith("Publish?") && buttonLabels(m).includes("Approve")), 15_000);
    await before.shutdown();
    bridges.splice(bridges.indexOf(before), 1);

    const after = await startInProcess("all");
    const button = buttonsIn(form).find((b) => b.label === "Approve");
    const click = slack.payloads.blockActions({ user: "U1", channel: "C0GENERAL", messageTs: form.ts, threadTs: ts, actionId: button?.actionId ?? "" });
    expect((await sender(after).sendInteraction(click)).status).toBe(200);
    await eventually(() => botMessages(ts)[0]?.markdown.endsWith("Published."), 15_000);
    expect(botMessages(ts).map((m) => m.markdown)).toEqual(["Draft ready.\n\n📝 **Approval**: ✅ **U1** chose **Approve**\n\nPublished."]);
    expect(botMessages(ts)[0]?.ts).toBe(form.ts);
    expect(dify.formSubmissions).toHaveLength(1);
    expect(dify.chatRequests).toHaveLength(1);
  }, 60_000);
});

function buttonsIn(m: FakeSlackMessage): Array<{ actionId: string; label: string }> {
  return (m.blocks as Array<{ type?: string; elements?: Array<{ action_id?: string; text?: { text?: string } }> }>)
    .filter((b) => b.type === "actions")
    .flatMap((b) => b.elements ?? [])
    .map((e) => ({ actionId: e.action_id ?? "", label: e.text?.text ?? "" }));
}
const buttonLabels = (m: FakeSlackMessage) => buttonsIn(m).map((b) => b.label);
