import { describe, expect, it } from "vitest";
import { type DifyEvent, parseDifyEvent } from "../../../src/dify/events.js";
import { type AnswerState, EMPTY_ANSWER, reduceAnswer } from "../../../src/reply/answer-accumulator.js";

/** One event as Dify sends it on the wire. */
function wire(payload: Record<string, unknown>): DifyEvent {
  const parsed = parseDifyEvent(JSON.stringify(payload));
  if (!parsed.ok) throw new Error(`fixture does not parse: ${parsed.reason}`);
  return parsed.event;
}

function reduceAll(events: readonly DifyEvent[], from: AnswerState = EMPTY_ANSWER): AnswerState {
  return events.reduce(reduceAnswer, from);
}

const IDS = { conversation_id: "conv-1", message_id: "msg-1", task_id: "task-1" };

describe("reduceAnswer", () => {
  it("starts empty", () => {
    expect(EMPTY_ANSWER.text).toBe("");
    expect(EMPTY_ANSWER.ended).toBe(false);
    expect(EMPTY_ANSWER.files).toEqual([]);
  });

  it("appends message deltas in order", () => {
    const state = reduceAll(["Hel", "lo, ", "world", "!"].map((answer) => wire({ event: "message", answer, ...IDS })));
    expect(state.text).toBe("Hello, world!");
    expect(state.sawAgentMessage).toBe(false);
  });

  it("appends agent_message deltas", () => {
    const state = reduceAll(["I will ", "look it up."].map((answer) => wire({ event: "agent_message", answer, ...IDS })));
    expect(state.text).toBe("I will look it up.");
    expect(state.sawAgentMessage).toBe(true);
  });

  it("replaces, not appends, when New Agent mode closes its agent_message deltas with the full text", () => {
    const state = reduceAll([
      wire({ event: "agent_message", answer: "The answer ", ...IDS }),
      wire({ event: "agent_message", answer: "is 42", ...IDS }),
      wire({ event: "message", answer: "The answer is 42.", ...IDS }),
    ]);
    expect(state.text).toBe("The answer is 42.");
  });

  it("replaces the text on message_replace mid-stream and keeps appending after it", () => {
    const state = reduceAll([
      wire({ event: "message", answer: "Some text that ", ...IDS }),
      wire({ event: "message", answer: "moderation dislikes", ...IDS }),
      wire({ event: "message_replace", answer: "This content was replaced.", ...IDS }),
      wire({ event: "message", answer: " More.", ...IDS }),
    ]);
    expect(state.text).toBe("This content was replaced. More.");
  });

  it("appends text that Dify delivers as message_file without a url", () => {
    const state = reduceAll([wire({ event: "message_file", answer: "Here is ", ...IDS }), wire({ event: "message_file", answer: "the chart.", ...IDS })]);
    expect(state.text).toBe("Here is the chart.");
    expect(state.files).toEqual([]);
  });

  it("keeps the text when only files, thoughts and progress arrive", () => {
    const start = reduceAll([wire({ event: "message", answer: "Text", ...IDS })]);
    const state = reduceAll(
      [
        wire({ event: "message_file", id: "f1", type: "image", url: "https://dify.example/files/f1.png", belongs_to: "assistant", ...IDS }),
        wire({ event: "agent_thought", id: "t1", position: 1, thought: "", tool: "search", ...IDS }),
        wire({ event: "node_started", data: { title: "Search", node_type: "tool" }, ...IDS }),
        wire({ event: "ping" }),
      ],
      start,
    );
    expect(state.text).toBe("Text");
  });

  describe("agent thoughts", () => {
    it("upserts by id, merging later fields and keeping earlier ones that come back empty", () => {
      const state = reduceAll([
        wire({ event: "agent_thought", id: "t1", position: 1, thought: "", tool: "web_search", tool_input: '{"q":"dify"}', ...IDS }),
        wire({ event: "agent_thought", id: "t2", position: 2, thought: "Let me also check the docs", tool: "", ...IDS }),
        wire({ event: "agent_thought", id: "t1", position: 1, thought: "Found it", tool: "", tool_input: "", observation: "3 results", ...IDS }),
      ]);
      expect(state.thoughts).toEqual([
        { id: "t1", position: 1, thought: "Found it", tool: "web_search", toolInput: '{"q":"dify"}', observation: "3 results" },
        { id: "t2", position: 2, thought: "Let me also check the docs", tool: "", toolInput: undefined, observation: undefined },
      ]);
    });

    it("derives the progress line from the tool in use", () => {
      const searching = reduceAll([wire({ event: "agent_thought", id: "t1", tool: "dataset_1234", ...IDS })]);
      expect(searching.progress).toBe("Searching the knowledge base…");
      const using = reduceAll([wire({ event: "agent_thought", id: "t2", tool: "google_search;current_time", ...IDS })], searching);
      expect(using.progress).toBe("Using google search…");
      // A repeat of the step without a tool says nothing new: the line stays.
      const repeat = reduceAll([wire({ event: "agent_thought", id: "t2", thought: "done", ...IDS })], using);
      expect(repeat.progress).toBe("Using google search…");
    });
  });

  it("derives progress from workflow and node events, keeping the last useful line", () => {
    const states: AnswerState[] = [];
    let state = EMPTY_ANSWER;
    for (const e of [
      wire({ event: "workflow_started", data: {}, ...IDS }),
      wire({ event: "node_started", data: { title: "Start", node_type: "start" }, ...IDS }),
      wire({ event: "node_started", data: { title: "Knowledge", node_type: "knowledge-retrieval" }, ...IDS }),
      wire({ event: "node_finished", data: { title: "Knowledge", node_type: "knowledge-retrieval", status: "succeeded" }, ...IDS }),
      wire({ event: "node_started", data: { title: "LLM", node_type: "llm" }, ...IDS }),
    ]) {
      state = reduceAnswer(state, e);
      states.push(state);
    }
    expect(states.map((s) => s.progress)).toEqual([
      "Working on it…",
      "Working on it…",
      "Searching the knowledge base…",
      "Searching the knowledge base…",
      "Thinking…",
    ]);
  });

  it("collects reasoning_chunk text separately from the answer", () => {
    const state = reduceAll([
      wire({ event: "reasoning_chunk", data: { reasoning: "First I " }, ...IDS }),
      wire({ event: "reasoning_chunk", data: { reasoning: "consider." }, ...IDS }),
      wire({ event: "message", answer: "Answer.", ...IDS }),
    ]);
    expect(state.reasoning).toBe("First I consider.");
    expect(state.text).toBe("Answer.");
  });

  describe("files", () => {
    const chart = { id: "f1", type: "image", url: "https://dify.example/files/f1.png", belongs_to: "assistant" };

    it("deduplicates a file seen in message_file, message_end and workflow_finished", () => {
      const state = reduceAll([
        wire({ event: "message_file", ...chart, ...IDS }),
        wire({ event: "workflow_finished", data: { status: "succeeded", files: [{ ...chart }] }, ...IDS }),
        wire({ event: "message_end", metadata: {}, files: [{ ...chart }], ...IDS }),
      ]);
      expect(state.files).toEqual([{ id: "f1", type: "image", url: "https://dify.example/files/f1.png", belongsTo: "assistant" }]);
    });

    it("treats two entries with the same url as one file, with or without an id", () => {
      const state = reduceAll([
        wire({ event: "message_file", ...chart, ...IDS }),
        wire({ event: "message_end", metadata: {}, files: [{ url: chart.url, type: "image" }], ...IDS }),
        wire({
          event: "workflow_finished",
          data: { files: [{ remote_url: "https://cdn.example/a.pdf" }, { remote_url: "https://cdn.example/a.pdf" }] },
          ...IDS,
        }),
      ]);
      expect(state.files.map((f) => f.url)).toEqual([chart.url, "https://cdn.example/a.pdf"]);
    });

    it("keeps distinct files in arrival order", () => {
      const state = reduceAll([
        wire({ event: "message_file", ...chart, ...IDS }),
        wire({ event: "message_file", id: "f2", type: "document", url: "https://dify.example/files/f2.pdf", belongs_to: "assistant", ...IDS }),
        wire({ event: "message_end", metadata: {}, files: [{ id: "f3", url: "https://dify.example/files/f3.csv" }], ...IDS }),
      ]);
      expect(state.files.map((f) => f.id)).toEqual(["f1", "f2", "f3"]);
    });
  });

  it("takes each id from the first event that has it", () => {
    const state = reduceAll([
      wire({ event: "workflow_started", task_id: "task-A", data: {} }),
      wire({ event: "message", answer: "x", task_id: "task-B", message_id: "msg-A" }),
      wire({ event: "message", answer: "y", task_id: "task-C", message_id: "msg-B", conversation_id: "conv-A" }),
      wire({ event: "message_end", metadata: {}, task_id: "task-D", message_id: "msg-C", conversation_id: "conv-B" }),
    ]);
    expect(state.ids).toEqual({ taskId: "task-A", messageId: "msg-A", conversationId: "conv-A" });
  });

  it("picks up ids even from events it otherwise ignores", () => {
    const state = reduceAll([wire({ event: "tts_message", audio: "", ...IDS })]);
    expect(state.ids).toEqual({ taskId: "task-1", messageId: "msg-1", conversationId: "conv-1" });
    expect(state.text).toBe("");
  });

  it("records citations, usage and the end on message_end", () => {
    const state = reduceAll([
      wire({ event: "message", answer: "Answer", ...IDS }),
      wire({
        event: "message_end",
        ...IDS,
        metadata: {
          retriever_resources: [
            { position: 1, dataset_name: "Handbook", document_name: "vacation.md", content: "Twenty days.", score: 0.92 },
            { position: 2, dataset_name: "Handbook", document_name: "remote.md", content: "Anywhere.", doc_metadata: { url: "https://wiki.example/remote" } },
          ],
          usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, latency: 1.25 },
        },
      }),
    ]);
    expect(state.ended).toBe(true);
    expect(state.citations.map((c) => [c.documentName, c.url])).toEqual([
      ["vacation.md", undefined],
      ["remote.md", "https://wiki.example/remote"],
    ]);
    expect(state.usage).toEqual({ promptTokens: 120, completionTokens: 30, totalTokens: 150, latencySeconds: 1.25 });
    expect(state.text).toBe("Answer");
  });

  it("records the workflow's final status and Dify's error text", () => {
    const state = reduceAll([wire({ event: "workflow_finished", data: { status: "failed", error: "boom" }, ...IDS })]);
    expect(state.workflowStatus).toBe("failed");
    expect(state.workflowError).toBe("boom");
  });

  it("keeps the Human Input form and the pause, and the workflow run id", () => {
    const required = wire({
      event: "human_input_required",
      workflow_run_id: "run-1",
      data: {
        form_id: "f1",
        node_title: "Approve refund",
        form_content: "Refund **$20**?",
        inputs: [{ type: "select", output_variable_name: "reason", default: { type: "constant", value: "late" }, options: ["late", "broken"] }],
        actions: [{ id: "ok", title: "Approve", button_style: "primary" }],
        form_token: "tok",
        expiration_time: 1_900_000_000,
      },
      ...IDS,
    });
    const state = reduceAll([required, wire({ event: "workflow_paused", workflow_run_id: "run-1", data: {}, ...IDS })]);
    expect(state.paused).toBe(true);
    expect(state.ids.workflowRunId).toBe("run-1");
    expect(state.form).toEqual({
      formId: "f1",
      nodeId: undefined,
      title: "Approve refund",
      content: "Refund **$20**?",
      fields: [{ type: "select", name: "reason", defaultValue: "late", options: ["late", "broken"] }],
      actions: [{ id: "ok", title: "Approve", style: "primary" }],
      token: "tok",
      expiresAt: 1_900_000_000,
    });
  });

  it("lists a file once: by related_id = message_file id, or by URL without its signature; never the user's own upload", () => {
    const state = reduceAll([
      wire({ event: "message_file", id: "mf1", type: "image", belongs_to: "assistant", url: "/files/tools/t1.png?timestamp=1&nonce=a&sign=x", ...IDS }),
      wire({
        event: "message_end",
        metadata: {},
        files: [
          { related_id: "mf1", type: "image", transfer_method: "tool_file", url: "/files/tools/t1.png?timestamp=2&nonce=b&sign=y" },
          { related_id: "mf2", type: "image", transfer_method: "tool_file", url: "/files/tools/t1.png?timestamp=3&nonce=c&sign=z" },
          { related_id: "mf3", type: "image", transfer_method: "local_file", upload_file_id: "u1", url: "/files/u1/file-preview?sign=q" },
          { related_id: "mf4", type: "document", transfer_method: "tool_file", url: "/files/tools/t2.pdf?sign=w" },
        ],
        ...IDS,
      }),
    ]);
    expect(state.files.map((f) => f.id)).toEqual(["mf1", "mf4"]);
  });

  it("leaves the answer untouched on an error event", () => {
    const before = reduceAll([wire({ event: "message", answer: "Partial", ...IDS })]);
    const after = reduceAnswer(before, wire({ event: "error", status: 400, code: "completion_request_error", message: "boom", ...IDS }));
    expect(after.text).toBe("Partial");
    expect(after.ended).toBe(false);
  });

  it("never mutates the state it is given", () => {
    const before = reduceAll([wire({ event: "message", answer: "A", ...IDS })]);
    const snapshot = structuredClone(before);
    reduceAnswer(before, wire({ event: "message", answer: "B", ...IDS }));
    reduceAnswer(before, wire({ event: "agent_thought", id: "t", tool: "x", ...IDS }));
    reduceAnswer(before, wire({ event: "message_end", metadata: {}, files: [{ id: "f", url: "https://x/f" }], ...IDS }));
    expect(before).toEqual(snapshot);
  });
});
