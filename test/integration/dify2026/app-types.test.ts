import { afterEach, describe, expect, it } from "vitest";
import { dify2026Options, scripts, steps, transcriptSteps } from "../../fakes/dify/index.js";
import type { FakeSlackMessage } from "../../fakes/slack/index.js";
import { readAppRunTranscript } from "../../fixtures/dify/app-runs.js";
import { ANA, answerRevisions, buttonsOf, eventually, SlackE2E, settle } from "../slack-e2e/slack-e2e-harness.js";

/**
 * Workflow and Text Generator apps through the real Bolt adapter: one run per message on the app type's own
 * endpoint, the question in the app's first text input, no conversation (docs/dify-2026.md §5).
 */

const PDF = Buffer.from("%PDF-1.4\n%%EOF\n");
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

/** The revisions that showed part of the answer (the placeholder and progress lines are not part of it). */
const partial = (texts: readonly string[], answer: string) => texts.filter((t) => t.length > 0 && t.length < answer.length && answer.startsWith(t));

describe("Slack end to end: a Workflow app", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("streams the run's text_chunk text into the reply; a reply in the thread is a run of its own, with no conversation", async () => {
    e = await SlackE2E.start({ dify: { mode: "workflow" }, slackEnv: { SLACK_STREAMING: "edit" } });
    const answer = "Release 2.4 adds SSO login, faster search and a dark theme. Upgrading takes about ten minutes per server.";
    e.dify.onChat(() => scripts.workflow(answer, { chunkChars: 8, delayMs: 70 }));
    const q = await e.mention({ text: "Summarise the release notes" });
    const [reply] = await e.waitForAnswer(q, answer);
    if (!reply) throw new Error("no reply");
    // Streamed: at least one edit showed part of the answer before the end.
    expect(partial(answerRevisions(reply), answer).length).toBeGreaterThanOrEqual(1);
    expect(buttonsOf(reply)).toEqual([]);
    // The type was read at start (GET /info) and logged.
    expect(e.h.logs.find((l) => l.msg?.startsWith("Dify app type"))).toMatchObject({
      msg: "Dify app type: Workflow app (one run per message, no conversation)",
      obj: { app: "default", kind: "workflow" },
    });

    const [first] = e.dify.workflowRunRequests;
    expect(first?.chat).toEqual({ inputs: { question: "Summarise the release notes" }, user: q.conversationKey, response_mode: "streaming" });
    expect(e.dify.chatRequests).toHaveLength(0);
    // The run carries the turn's trace id like a chat call does.
    expect(first?.headers["x-trace-id"]).toMatch(/^[A-Za-z0-9_-]{1,128}$/);

    e.dify.onChat((turn) => scripts.workflow(`Second run: ${String(turn.inputs.question)}`));
    const followUp = await e.threadReply(q, { text: "And the dark theme?" });
    await eventually(() => e.finalReplies(q)?.some((m) => m.markdown === "Second run: And the dark theme?") || undefined);
    // The second message is its own run: the question alone, no conversation id, no thread history in it.
    expect(e.dify.workflowRunRequests).toHaveLength(2);
    expect(e.dify.workflowRunRequests[1]?.chat).toEqual({
      inputs: { question: "And the dark theme?" },
      user: followUp.conversationKey,
      response_mode: "streaming",
    });
    expect(e.dify.workflowRunRequests.every((r) => !("conversation_id" in r.chat) && !("query" in r.chat))).toBe(true);

    // A run has no message id: a 👍 on its answer sends no feedback (there is nothing in Dify to rate).
    await e.react(true, ANA, reply, "+1");
    await settle(500);
    expect(e.dify.feedbackRequests).toHaveLength(0);
  });

  it("an app with no text input for the question says so, and Dify is not asked", async () => {
    e = await SlackE2E.start({ dify: { mode: "workflow" } });
    e.dify.configure({ parameters: { ...e.dify.settings.parameters, user_input_form: [{ number: { label: "Count", variable: "count", required: false } }] } });
    const q = await e.mention({ text: "How many?" });
    await e.waitForAnswer(q, /^⚠️ The assistant's app has no text input to take the question\. An admin can name one \(DIFY_QUERY_INPUT\)\./);
    expect(e.dify.workflowRunRequests).toHaveLength(0);
  });

  it("/new says every message is answered on its own already", async () => {
    e = await SlackE2E.start({ dify: { mode: "workflow" } });
    const q = await e.mention({ text: "/new" });
    await e.waitForAnswer(q, "🆕 Every message here is answered on its own already. Ask away!");
    expect(e.dify.workflowRunRequests).toHaveLength(0);
  });

  it("a run that streams nothing answers with its output (the recorded Code-node run); DIFY_ANSWER_OUTPUT picks one of several", async () => {
    e = await SlackE2E.start({ dify: { mode: "workflow" } });
    e.dify.onChat(() => transcriptSteps(readAppRunTranscript("workflow-outputs-only")));
    const q = await e.mention({ text: "Who handles ticket 4312?" });
    await e.waitForAnswer(q, "Ticket #4312 is assigned to the billing team (priority: high).");
    await e.close();

    e = await SlackE2E.start({ dify: { mode: "workflow" }, env: { DIFY_ANSWER_OUTPUT: "summary" } });
    // The streamed text is the model thinking aloud; the `summary` output is the answer.
    e.dify.onChat(() => scripts.workflow("Let me look that up… ", { outputs: { summary: "It ships on Monday.", raw: "{…}" } }));
    const q2 = await e.mention({ text: "When does it ship?" });
    await e.waitForAnswer(q2, "It ships on Monday.");
  });

  it("a file the run outputs is attached to the thread once; its text output is the answer", async () => {
    e = await SlackE2E.start({ dify: { mode: "workflow" } });
    const url = e.dify.addToolFile({ bytes: PNG, mimeType: "image/png", extension: "png" });
    const chart = steps.outputFile({ url, filename: "chart.png", mimeType: "image/png" });
    e.dify.onChat(() => scripts.workflow("", { streamed: false, outputs: { caption: "Sales by month.", chart }, files: [chart] }));
    const q = await e.mention({ text: "Chart the sales" });
    await e.waitForAnswer(q, "Sales by month.");
    await eventually(() => e.slack.files.uploaded().length === 1 || undefined);
    await settle(300);
    expect(e.slack.files.uploaded()).toHaveLength(1);
    expect(Buffer.from(e.slack.files.uploaded()[0]?.data ?? []).equals(PNG)).toBe(true);
  });

  it("a failed run shows ⚠️ with Dify's error text and Retry (the recorded failure: workflow_finished failed, nothing else)", async () => {
    e = await SlackE2E.start({ dify: { mode: "workflow" } });
    e.dify.onChat(() => transcriptSteps(readAppRunTranscript("workflow-failed")));
    const q = await e.mention({ text: "Fetch the latest report" });
    const [reply] = await e.waitForAnswer(q, /^⚠️ The assistant's workflow failed: Reached maximum retries \(3\)/);
    expect(buttonsOf(reply!).map((b) => b.label)).toEqual(["Retry"]);
  });

  it("Stop stops the run at the Workflow's own endpoint and says ⏹ Stopped", async () => {
    e = await SlackE2E.start({ dify: { mode: "workflow" }, slackEnv: { SLACK_STREAMING: "edit" } });
    e.dify.onChat(() => scripts.workflow("A very long report. ".repeat(200), { chunkChars: 4, delayMs: 30 }));
    const q = await e.mention({ text: "Write the report" });
    const control = await eventually(() => {
      const m = e.stopControl(q);
      return m && e.dify.streams[0]?.firstAnswerByteAt ? m : undefined;
    });
    await e.click(control, "Stop", ANA);
    const [reply] = await e.waitForAnswer(q, /⏹ Stopped$/);
    // What was streamed before the stop stays above the line.
    expect(reply?.markdown).toMatch(/^A ve/);
    const taskId = e.dify.streams[0]?.taskId;
    // The click and the running turn may both ask (as for chat apps); every call goes to the Workflow's endpoint.
    expect(e.dify.stopRequests.length).toBeGreaterThanOrEqual(1);
    expect(e.dify.stopRequests.every((s) => s.request.path === `/v1/workflows/tasks/${taskId}/stop` && s.user === q.conversationKey)).toBe(true);
    expect(e.dify.stopRequests.some((s) => s.stoppedStream)).toBe(true);
    expect(e.dify.streams[0]?.endReason).toBe("stopped");
  });

  it("attachments go in the app's file input, judged by that input's own types", async () => {
    e = await SlackE2E.start({ dify: { mode: "workflow" } });
    e.dify.onChat((turn) => scripts.workflow(`Read ${turn.files.map((f) => f.filename).join(", ")}.`));
    const file = e.slack.hostFile({ name: "spec.pdf", mimetype: "application/pdf", data: PDF });
    const video = e.slack.hostFile({ name: "demo.mp4", mimetype: "video/mp4", data: Buffer.alloc(64, 1) });
    const q = await e.mention({ text: "Check the spec", files: [file, video] });
    const [reply] = await e.waitForAnswer(q, /Read spec\.pdf\./);
    // The file input takes images and documents: the video is named, not sent.
    expect(reply?.markdown).toContain("⚠️ Not sent to the assistant: demo.mp4 (this assistant does not accept this type of file).");
    const upload = e.dify.uploads[0];
    expect(e.dify.uploads).toHaveLength(1);
    expect(e.dify.workflowRunRequests[0]?.chat.inputs).toEqual({
      question: "Check the spec",
      attachments: [{ type: "document", transfer_method: "local_file", upload_file_id: upload?.id }],
    });
  });
});

describe("Slack end to end: a Text Generator app", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("answers each message with a completion of its own; the answer takes feedback (completions have message ids)", async () => {
    e = await SlackE2E.start({ dify: { mode: "completion" } });
    e.dify.onChat(() => transcriptSteps(readAppRunTranscript("completion-basic")));
    const q = await e.mention({ text: "Write a note: office closed Friday" });
    const [reply] = await e.waitForAnswer(q, "Dear team, the office is closed on Friday. Enjoy the long weekend!");
    expect(e.dify.completionRequests[0]?.chat).toEqual({
      inputs: { text: "Write a note: office closed Friday" },
      query: "Write a note: office closed Friday",
      user: q.conversationKey,
      response_mode: "streaming",
    });

    e.dify.onChat((turn) => scripts.completion(`Shorter: ${String(turn.inputs.text)}`));
    await e.threadReply(q, { text: "Make it shorter" });
    await eventually(() => e.finalReplies(q)?.some((m) => m.markdown === "Shorter: Make it shorter") || undefined);
    expect(e.dify.completionRequests).toHaveLength(2);
    const traceIds = e.dify.completionRequests.map((r) => r.headers["x-trace-id"]);
    expect(new Set(traceIds).size).toBe(2);
    expect(e.dify.completionRequests.every((r) => !("conversation_id" in r.chat))).toBe(true);
    expect(e.dify.completionRequests[1]?.chat.inputs).toEqual({ text: "Make it shorter" });

    await e.react(true, ANA, reply!, "+1");
    await eventually(() => e.dify.feedbackRequests.length === 1 || undefined);
    expect(e.dify.feedbackRequests[0]).toMatchObject({ messageId: e.dify.streams[0]?.messageId, rating: "like", status: 200 });
  });
});

describe("Slack end to end: suggested questions are a chat feature", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("a Text Generator whose parameters say suggestions are on is not asked for them (Dify answers not_chat_app)", async () => {
    e = await SlackE2E.start({ dify: { mode: "completion" } });
    e.dify.configure({ parameters: { ...e.dify.settings.parameters, suggested_questions_after_answer: { enabled: true } } });
    e.dify.onChat(() => scripts.completion("Done."));
    const q = await e.mention({ text: "write" });
    const [reply] = await e.waitForAnswer(q, "Done.");
    await settle(400);
    expect(e.dify.requests.filter((r) => r.path.endsWith("/suggested"))).toEqual([]);
    expect(buttonsOf(reply!)).toEqual([]);
    expect(e.problems()).toEqual([]);
  });
});

describe("Slack AI app: feedback buttons per app type", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  const feedbackButtonsOf = (m: FakeSlackMessage) =>
    m.blocks.some((b) => ((b as { elements?: Array<{ type?: string }> }).elements ?? []).some((el) => el.type === "feedback_buttons"));

  it("a Workflow answer carries no 👍/👎 buttons (a run has nothing to rate); a Text Generator answer does", async () => {
    e = await SlackE2E.start({ dify: { mode: "workflow" }, slackEnv: { SLACK_AI_APP: "true" } });
    e.dify.onChat(() => scripts.workflow("Run answer."));
    const q = await e.mention({ text: "run it" });
    const [runReply] = await e.waitForAnswer(q, "Run answer.");
    await settle(300);
    expect(feedbackButtonsOf(e.slack.messages.get(runReply!.channel, runReply!.ts) as FakeSlackMessage)).toBe(false);
    await e.close();

    e = await SlackE2E.start({ dify: { mode: "completion" }, slackEnv: { SLACK_AI_APP: "true" } });
    e.dify.onChat(() => scripts.completion("Completion answer."));
    const q2 = await e.mention({ text: "write it" });
    const [reply] = await e.waitForAnswer(q2, "Completion answer.");
    await eventually(() => feedbackButtonsOf(e.slack.messages.get(reply!.channel, reply!.ts) as FakeSlackMessage) || undefined);
  });
});

describe("Slack end to end: a Workflow app pausing for Human Input", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("says the answer waits for someone in Dify (forms are answered in the chat for Chatflows only)", async () => {
    e = await SlackE2E.start({ dify: { ...dify2026Options(), mode: "workflow" } });
    e.dify.onChat(() => [
      steps.workflowStarted(),
      steps.textChunk("Draft ready."),
      steps.humanInput({ nodeTitle: "Approval", formContent: "Publish the draft?", actions: [{ id: "approve", title: "Approve", buttonStyle: "primary" }] }),
      steps.workflowFinished({ status: "succeeded", outputs: { result: "Draft ready." } }),
    ]);
    const q = await e.mention({ text: "Write the post" });
    const [reply] = await e.waitForAnswer(q, "Draft ready.\n\n⏸ The assistant is waiting for someone to respond in Dify before it can go on.");
    expect(buttonsOf(reply!).map((b) => b.label)).not.toContain("Approve");
    expect(e.dify.formSubmissions).toHaveLength(0);
  });
});
