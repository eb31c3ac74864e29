import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Bridge } from "../../../src/app/create-bridge.js";
import { createGate, dify2026Options, type FakeDifyServer, scripts, steps } from "../../fakes/dify/index.js";
import type { FakeSlackApi, FakeSlackMessage } from "../../fakes/slack/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { SlackProcessRig } from "./slack-process-rig.js";

const PART_A = Array.from({ length: 12 }, (_, i) => `alpha${i}`).join(" ");
const PART_A2 = " then more words the first worker never saw";
const PART_B = " and the end of the answer.";

/**
 * A Chatflow run outlives the process that asked (Dify 1.13+, docs/dify-2026.md §1–2): the bridge keeps the
 * run's id with the job, so a worker that dies mid-answer, or a bridge restarted while a form waits for a click,
 * costs nothing: the next process follows the same run and finishes the same reply.
 */
describe("a Chatflow run followed across processes", () => {
  let rig: SlackProcessRig;
  let slack: FakeSlackApi;
  let dify: FakeDifyServer;
  const startInProcess = (role: "ingress" | "all") => rig.startInProcess(role, { SHUTDOWN_GRACE_MS: "1000" });
  const spawnWorker = () => rig.spawnWorker();
  const mention = (bridge: Bridge, text: string) => rig.mention(bridge, text);
  const botMessages = (ts: string) => rig.botMessages(ts);

  beforeEach(async () => {
    rig = await SlackProcessRig.start({ name: "reattach", dify: { ...dify2026Options(), mode: "advanced-chat" } });
    ({ slack, dify } = rig);
  });

  afterEach(async () => rig?.close());

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
    dify = await rig.replaceDify({ mode: "advanced-chat" });
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
    await rig.shutdown(before);

    const after = await startInProcess("all");
    const button = buttonsIn(form).find((b) => b.label === "Approve");
    const click = slack.payloads.blockActions({ user: "U1", channel: "C0GENERAL", messageTs: form.ts, threadTs: ts, actionId: button?.actionId ?? "" });
    expect((await rig.sender(after).sendInteraction(click)).status).toBe(200);
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
