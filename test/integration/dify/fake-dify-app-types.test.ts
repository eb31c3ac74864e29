import { afterEach, describe, expect, it } from "vitest";
import type { RunInputs } from "../../../src/dify/app-kind.js";
import { DifyStreamError } from "../../../src/dify/errors.js";
import { FakeDifyServer, scripts, transcriptSteps } from "../../fakes/dify/index.js";
import { APP_RUN_TRANSCRIPTS, type AppRunTranscriptName, readAppRunTranscript } from "../../fixtures/dify/app-runs.js";
import { clientFor, drain, textOf } from "./client-helpers.js";
import { rawRequest } from "./raw-requests.js";

/** Workflow and Text Generator apps: their own endpoints, no conversation, their own stream endings. */

let dify: FakeDifyServer;
afterEach(async () => {
  await dify?.close();
});

const WORKFLOW_RUN: RunInputs = { kind: "workflow", queryInput: "question", fileInput: { variable: "attachments", list: true } };
const COMPLETION_RUN: RunInputs = { kind: "completion", queryInput: "text" };
const post = (dify: FakeDifyServer, path: string, json: unknown) => rawRequest(dify, "POST", `/v1${path}`, { json });
const ask = (query: string, run: RunInputs) => ({ query, user: "slack:T1:C1:1.0", inputs: {}, run });

describe("the fake's Workflow and Text Generator apps, read by DifyClient", () => {
  it("a Workflow run: POST /workflows/run with the question in the app's text input, streamed text_chunk, the end at workflow_finished", async () => {
    dify = await FakeDifyServer.start({ mode: "workflow" });
    dify.onChat((turn) => scripts.workflow(`You asked: ${String(turn.inputs.question)}`, { chunkChars: 4 }));
    const { events, error } = await drain(clientFor(dify).streamChat(ask("What changed?", WORKFLOW_RUN)));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe("You asked: What changed?");
    expect(events.filter((e) => e.event === "text").length).toBeGreaterThan(3);
    // The run's end is workflow_finished; the client closes it with a message_end for the rest of the bridge.
    expect(events.slice(-2).map((e) => e.event)).toEqual(["workflow_finished", "message_end"]);
    expect(events.every((e) => e.conversationId === undefined && e.messageId === undefined)).toBe(true);
    const [request] = dify.workflowRunRequests;
    expect(request?.chat).toEqual({ inputs: { question: "What changed?" }, user: "slack:T1:C1:1.0", response_mode: "streaming" });
    expect(dify.chatRequests).toHaveLength(0);
  });

  it.each(Object.keys(APP_RUN_TRANSCRIPTS) as AppRunTranscriptName[])("replays the recorded %s transcript", async (name) => {
    const fixture = APP_RUN_TRANSCRIPTS[name];
    dify = await FakeDifyServer.start({ mode: fixture.mode });
    dify.onChat(() => transcriptSteps(readAppRunTranscript(name)));
    const run = fixture.mode === "workflow" ? WORKFLOW_RUN : COMPLETION_RUN;
    const { events, error } = await drain(clientFor(dify).streamChat(ask("q", run)));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe(fixture.answer);
    const finished = events.find((e) => e.event === "workflow_finished");
    if (fixture.mode === "workflow") expect(finished && "status" in finished ? finished.status : undefined).toBe(fixture.outcome);
    else expect(events.at(-1)?.event).toBe("message_end");
    if (name === "workflow-failed") expect(finished && "error" in finished ? finished.error : undefined).toMatch(/maximum retries/);
    if (fixture.mode === "completion") {
      // A completion has a message id (feedback works) and no conversation on the wire.
      expect(events[0]?.messageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(events.every((e) => e.conversationId === undefined)).toBe(true);
    }
  });

  it("a Text Generator run: POST /completion-messages with the question in its text input and as query; its message takes feedback", async () => {
    dify = await FakeDifyServer.start({ mode: "completion" });
    dify.onChat((turn) => scripts.completion(`Rewritten: ${String(turn.inputs.text)}`));
    const client = clientFor(dify);
    const { events, error } = await drain(client.streamChat(ask("fix my grammer", COMPLETION_RUN)));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe("Rewritten: fix my grammer");
    expect(dify.completionRequests[0]?.chat).toEqual({
      inputs: { text: "fix my grammer" },
      user: "slack:T1:C1:1.0",
      response_mode: "streaming",
      query: "fix my grammer",
    });
    const messageId = events.find((e) => e.event === "message_end")?.messageId as string;
    await client.sendFeedback(messageId, { rating: "like", user: "slack:T1:C1:1.0" });
    expect(dify.store.messages.get(messageId)?.feedback?.rating).toBe("like");
  });

  it("each endpoint answers only its own app type, as Dify does", async () => {
    dify = await FakeDifyServer.start({ mode: "workflow" });
    const body = { inputs: { question: "hi" }, query: "hi", user: "u", response_mode: "streaming" };
    expect((await post(dify, "/chat-messages", body)).json).toMatchObject({ status: 400, code: "not_chat_app" });
    expect((await post(dify, "/completion-messages", body)).json).toMatchObject({ status: 400, code: "app_unavailable" });
    dify.configure({ mode: "chat" });
    expect((await post(dify, "/workflows/run", body)).json).toMatchObject({ status: 400, code: "not_workflow_app" });
    dify.configure({ mode: "workflow" });
    // `inputs` is required; the start form's required question too.
    expect((await post(dify, "/workflows/run", { user: "u", response_mode: "streaming" })).status).toBe(400);
    expect((await post(dify, "/workflows/run", { inputs: {}, user: "u", response_mode: "streaming" })).json).toMatchObject({
      code: "invalid_param",
      message: "question is required in input form",
    });
  });

  it("stop goes to each type's own endpoint: a Workflow ends with workflow_finished stopped, a completion with message_end", async () => {
    dify = await FakeDifyServer.start({ mode: "workflow" });
    dify.onChat(() => scripts.workflow("a long report ".repeat(50), { chunkChars: 3, delayMs: 20 }));
    const client = clientFor(dify);
    await client.appKind();
    const events: { event: string; status?: string }[] = [];
    let stopped = false;
    for await (const e of client.streamChat(ask("report", WORKFLOW_RUN))) {
      events.push(e as { event: string });
      if (!stopped && e.event === "text" && e.taskId) {
        stopped = true;
        await client.stopTask(e.taskId, "slack:T1:C1:1.0");
      }
    }
    expect(dify.stopRequests.map((s) => [s.request.path, s.stoppedStream])).toEqual([[`/v1/workflows/tasks/${dify.streams[0]?.taskId}/stop`, true]]);
    expect(events.find((e) => e.event === "workflow_finished")).toMatchObject({ status: "stopped" });

    await dify.close();
    dify = await FakeDifyServer.start({ mode: "completion" });
    dify.onChat(() => scripts.completion("a long letter ".repeat(50), { chunkChars: 3, delayMs: 20 }));
    const second = clientFor(dify);
    let ended = false;
    for await (const e of second.streamChat(ask("letter", COMPLETION_RUN))) {
      if (e.event === "text" && e.taskId && dify.stopRequests.length === 0) await second.stopTask(e.taskId, "slack:T1:C1:1.0");
      if (e.event === "message_end") ended = true;
    }
    expect(dify.stopRequests[0]?.request.path).toBe(`/v1/completion-messages/${dify.streams[0]?.taskId}/stop`);
    expect(dify.streams[0]?.endReason).toBe("stopped");
    expect(ended).toBe(true);
  });

  it("a Workflow's files go in its file input; a file of a type the input does not take is refused like Dify refuses it", async () => {
    dify = await FakeDifyServer.start({ mode: "workflow" });
    const client = clientFor(dify);
    const pdf = await client.uploadFile({ data: Buffer.from("%PDF-1.4\n%%EOF\n"), name: "notes.pdf", mimeType: "application/pdf" }, "u");
    dify.onChat((turn) => scripts.workflow(`got ${turn.files.map((f) => f.filename).join(", ")}`));
    const { events } = await drain(client.streamChat({ ...ask("read this", WORKFLOW_RUN), user: "u", files: [{ type: "document", uploadFileId: pdf.id }] }));
    expect(textOf(events)).toBe("got notes.pdf");
    expect(dify.workflowRunRequests[0]?.chat.inputs).toEqual({
      question: "read this",
      attachments: [{ type: "document", transfer_method: "local_file", upload_file_id: pdf.id }],
    });
    const refused = await drain(client.streamChat({ ...ask("read this", WORKFLOW_RUN), user: "u", files: [{ type: "video", uploadFileId: pdf.id }] }));
    expect(refused.error).toMatchObject({ status: 400, difyCode: "invalid_param", difyMessage: "File validation failed for file: notes.pdf" });
    expect(refused.error).not.toBeInstanceOf(DifyStreamError);
  });
});
