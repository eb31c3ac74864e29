import { describe, expect, it } from "vitest";
import { type DifyEvent, parseDifyEvent } from "../../../src/dify/events.js";
import { DIFY_TRANSCRIPTS, readTranscript, TRANSCRIPT_NAMES, type TranscriptName } from "../../fixtures/dify/transcripts.js";
import { decodePieces, randomPieces } from "./sse-feeding.js";

function eventsOf(name: TranscriptName, seed = 3): { events: DifyEvent[]; skipped: string[] } {
  const events: DifyEvent[] = [];
  const skipped: string[] = [];
  for (const m of decodePieces(randomPieces(readTranscript(name), seed))) {
    const parsed = parseDifyEvent(m.data);
    if (parsed.ok) events.push(parsed.event);
    else skipped.push(parsed.reason);
  }
  return { events, skipped };
}

/** The answer a correct consumer shows: deltas appended, replacements replacing, New Agent's closing message final. */
function finalText(events: readonly DifyEvent[], mode: string): string {
  let text = "";
  for (const e of events) {
    if (e.event === "text") text = mode === "agent" && e.source === "message" ? e.answer : text + e.answer;
    if (e.event === "message_replace") text = e.answer;
  }
  return text;
}

const parse = (payload: unknown): DifyEvent => {
  const r = parseDifyEvent(JSON.stringify(payload));
  if (!r.ok) throw new Error(r.reason);
  return r.event;
};

describe("parseDifyEvent on recorded transcripts", () => {
  it.each(TRANSCRIPT_NAMES)("%s: final text and outcome", (name) => {
    const fixture = DIFY_TRANSCRIPTS[name];
    const { events } = eventsOf(name);
    expect(finalText(events, fixture.mode)).toBe(fixture.answer);
    const terminal = events.find((e) => e.event === "message_end" || e.event === "error");
    expect(terminal?.event).toBe(fixture.outcome);
    const first = events[0];
    expect(first?.conversationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first?.messageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("skips Dify's documented malformed event and keeps the rest of the answer", () => {
    const { events, skipped } = eventsOf("chat-malformed-event");
    expect(skipped).toEqual(["invalid JSON"]);
    expect(events.filter((e) => e.event === "text")).toHaveLength(6);
    expect(finalText(events, "chat")).toBe("The build is green again.");
  });

  it("reads agent thoughts (same id repeated) and the tool's relative file URL", () => {
    const { events } = eventsOf("agent-chat-tool-file");
    const thoughts = events.flatMap((e) => (e.event === "agent_thought" ? [e.thought] : []));
    expect(thoughts).toHaveLength(5);
    expect(new Set(thoughts.map((t) => t.id)).size).toBe(2);
    expect(thoughts[2]).toMatchObject({ position: 1, tool: "dalle3", toolInput: '{"dalle3": {"prompt": "a cute cat wearing a tiny hat, watercolor"}}' });
    const file = events.find((e) => e.event === "file");
    expect(file).toMatchObject({
      event: "file",
      file: { type: "image", belongsTo: "assistant", url: expect.stringMatching(/^\/files\/tools\/[0-9a-f-]+\.png\?timestamp=/) },
    });
    expect(events.filter((e) => e.event === "text").every((e) => e.event === "text" && e.source === "agent_message")).toBe(true);
  });

  it("reads citations and usage from message_end", () => {
    const end = eventsOf("chat-basic").events.find((e) => e.event === "message_end");
    expect(end).toMatchObject({
      event: "message_end",
      usage: { promptTokens: 1033, completionTokens: 48, totalTokens: 1081, latencySeconds: 2.31 },
      retrieverResources: [{ position: 1, datasetName: "Handbook", documentName: "time-off.md", score: 0.8325, url: "https://handbook.example.com/time-off" }],
    });
  });

  it("reports Chatflow progress and workflow_finished in both terminal orders", () => {
    for (const name of ["chatflow-workflow-first", "chatflow-message-end-first"] as const) {
      const names = eventsOf(name).events.map((e) => e.event);
      expect(names.filter((n) => n === "progress")).toHaveLength(6);
      expect(names[0]).toBe("workflow_started");
      expect(names.slice(-2).sort()).toEqual(["message_end", "workflow_finished"]);
    }
    const failed = eventsOf("chatflow-failed").events;
    expect(failed.find((e) => e.event === "workflow_finished")).toMatchObject({ status: "failed", error: "[openai] Error: Incorrect API key provided" });
    expect(failed.at(-1)).toMatchObject({
      event: "error",
      code: "invalid_param",
      status: 400,
      message: "Run failed: [openai] Error: Incorrect API key provided",
    });
  });

  it("treats text sent as message_file (1.11.2 bug) as text", () => {
    const texts = eventsOf("chat-message-file-text").events.filter((e) => e.event === "text");
    expect(texts.length).toBe(11);
    expect(texts.every((e) => e.event === "text" && e.source === "message_file")).toBe(true);
  });

  it("ignores TTS trailers after message_end, keeping their ids", () => {
    const events = eventsOf("chat-tts-trailers").events;
    expect(events.slice(-3).map((e) => (e.event === "ignored" ? e.name : e.event))).toEqual(["message_end", "tts_message", "tts_message_end"]);
    expect(events.at(-1)?.taskId).toBe("2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f");
  });
});

describe("parseDifyEvent on single payloads", () => {
  const ids = { conversation_id: "c", message_id: "m", task_id: "t" };

  it("maps each event kind", () => {
    expect(parse({ event: "message", ...ids, answer: "" })).toEqual({
      event: "text",
      source: "message",
      answer: "",
      conversationId: "c",
      messageId: "m",
      taskId: "t",
    });
    expect(parse({ event: "message_replace", ...ids, answer: "X", reason: "" })).toMatchObject({ event: "message_replace", answer: "X" });
    expect(parse({ event: "message_file", ...ids, id: "f", type: "image", url: "https://x/y.png", belongs_to: "assistant" })).toMatchObject({
      event: "file",
      file: { id: "f", url: "https://x/y.png" },
    });
    expect(parse({ event: "error", conversation_id: "c", message_id: "m", code: "provider_quota_exceeded", status: 400, message: "quota" })).toEqual({
      event: "error",
      status: 400,
      code: "provider_quota_exceeded",
      message: "quota",
      conversationId: "c",
      messageId: "m",
      taskId: undefined,
    });
    expect(parse({ event: "reasoning_chunk", ...ids, data: { reasoning: "hmm", is_final: false } })).toMatchObject({ event: "reasoning", text: "hmm" });
    expect(parse({ event: "human_input_required", ...ids, workflow_run_id: "r1", data: { form_id: "f1", node_title: "Approve" } })).toMatchObject({
      event: "human_input_required",
      workflowRunId: "r1",
      form: { formId: "f1", title: "Approve", token: null, actions: [], fields: [] },
    });
    expect(parse({ event: "human_input_form_filled", ...ids, data: { node_title: "Approve", action_text: "Ship it" } })).toMatchObject({
      event: "human_input_form_filled",
      actionText: "Ship it",
    });
    expect(parse({ event: "workflow_paused", ...ids, data: {} })).toMatchObject({ event: "workflow_paused" });
    expect(parse({ event: "workflow_started", ...ids, data: { reason: "resumption" } })).toMatchObject({ event: "workflow_started", reason: "resumption" });
    expect(parse({ event: "node_retry", ...ids, data: { title: "Search", node_type: "http-request" } })).toMatchObject({
      event: "progress",
      kind: "node_retry",
    });
    expect(parse({ event: "iteration_next", ...ids, data: { title: "Each doc", node_type: "iteration" } })).toMatchObject({
      event: "progress",
      kind: "iteration",
      title: "Each doc",
    });
    expect(parse({ event: "agent_log", ...ids, data: { label: "ReAct step", status: "success" } })).toMatchObject({
      event: "progress",
      kind: "agent_log",
      title: "ReAct step",
    });
    expect(parse({ event: "parallel_branch_started", ...ids })).toEqual({
      event: "ignored",
      name: "parallel_branch_started",
      conversationId: "c",
      messageId: "m",
      taskId: "t",
    });
  });

  it("accepts nulls where Dify sends them", () => {
    expect(parse({ event: "message_end", ...ids, metadata: null, files: null })).toMatchObject({
      event: "message_end",
      retrieverResources: [],
      files: [],
      usage: undefined,
    });
    expect(parse({ event: "agent_thought", ...ids, id: "a", position: null, thought: null, tool: null, tool_input: null, observation: null })).toMatchObject({
      event: "agent_thought",
      thought: { id: "a" },
    });
    expect(parse({ event: "workflow_finished", ...ids, data: null })).toMatchObject({ event: "workflow_finished", files: [] });
  });

  it("rejects what it cannot use, with a reason", () => {
    expect(parseDifyEvent("not json")).toEqual({ ok: false, reason: "invalid JSON" });
    expect(parseDifyEvent("[1,2]")).toEqual({ ok: false, reason: "not a JSON object" });
    expect(parseDifyEvent('{"answer":"x"}')).toEqual({ ok: false, reason: "no event name" });
    expect(parseDifyEvent('{"event":"message","answer":5}')).toMatchObject({ ok: false, reason: expect.stringContaining("message: answer") });
    expect(parseDifyEvent('{"event":"message_file","id":"f"}')).toEqual({ ok: false, reason: "message_file without url or answer" });
  });

  it("keeps an error event even when its fields have odd types", () => {
    expect(parse({ event: "error", status: "400", message: 7 })).toEqual({ event: "error" });
  });
});
