import { describe, expect, it } from "vitest";
import { parseDifyEventBySchemas as bySchemas, parseDifyEvent } from "../../../src/dify/events.js";
import { readTranscript, TRANSCRIPT_NAMES } from "../../fixtures/dify/transcripts.js";
import { decodePieces, randomPieces } from "./sse-feeding.js";

/**
 * The frequent text events are parsed by hand, without zod. Whatever the payload, that must give what the
 * schemas give: the same event (same keys, same values) or the same reason it is malformed.
 */

/** Values of every JSON type, including the ones each field must refuse. */
const VALUES: readonly unknown[] = [undefined, null, "", "abc", "😀 你好", 0, 42, true, false, [], ["x"], {}, { text: "x" }];

const BASES: Record<string, Record<string, unknown>> = {
  message: {
    event: "message",
    task_id: "t1",
    id: "m1",
    message_id: "m1",
    conversation_id: "c1",
    answer: "Hel",
    from_variable_selector: null,
    created_at: 1705395332,
  },
  agent_message: { event: "agent_message", task_id: "t1", message_id: "m1", conversation_id: "c1", answer: "lo" },
  text_chunk: { event: "text_chunk", task_id: "t1", workflow_run_id: "r1", data: { text: "wor", from_variable_selector: ["n", "text"] } },
};

const FIELDS: Record<string, readonly string[]> = {
  message: ["answer", "conversation_id", "message_id", "task_id", "workflow_run_id", "url"],
  agent_message: ["answer", "conversation_id", "message_id", "task_id", "workflow_run_id", "url"],
  text_chunk: ["data", "conversation_id", "message_id", "task_id", "workflow_run_id"],
};

function variants(): string[] {
  const out: string[] = [];
  for (const [name, base] of Object.entries(BASES)) {
    out.push(JSON.stringify(base));
    for (const field of FIELDS[name] ?? []) {
      for (const value of VALUES) {
        const copy: Record<string, unknown> = { ...base };
        if (value === undefined) delete copy[field];
        else copy[field] = value;
        out.push(JSON.stringify(copy));
      }
    }
    // text_chunk's inner text, with every type.
    if (name === "text_chunk") {
      for (const value of VALUES) out.push(JSON.stringify({ ...base, data: value === undefined ? {} : { text: value } }));
    }
  }
  // Not objects, no name, broken JSON: refused before either path, the same way.
  out.push("", "null", "[]", '"message"', "42", "{", '{"answer":"x"}', '{"event":1,"answer":"x"}', '{"event":"message","answer":"x"');
  return out;
}

describe("the hand-written parse of text events", () => {
  it("gives what the schemas give on every variant of message, agent_message and text_chunk, malformed ones included", () => {
    const corpus = variants();
    expect(corpus.length).toBeGreaterThan(200);
    let accepted = 0;
    let refused = 0;
    for (const data of corpus) {
      const fast = parseDifyEvent(data);
      expect(fast, data).toStrictEqual(bySchemas(data));
      if (fast.ok) accepted++;
      else refused++;
    }
    // The corpus exercises both outcomes, not only one.
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  });

  it("gives what the schemas give on every event of the recorded transcripts", () => {
    let texts = 0;
    for (const name of TRANSCRIPT_NAMES) {
      for (const m of decodePieces(randomPieces(readTranscript(name), 5))) {
        const fast = parseDifyEvent(m.data);
        expect(fast, m.data).toStrictEqual(bySchemas(m.data));
        if (fast.ok && fast.event.event === "text") texts++;
      }
    }
    expect(texts).toBeGreaterThan(20);
  });

  it("keeps the run id of a text event when Dify sends one, and only then", () => {
    const withRun = parseDifyEvent(JSON.stringify(BASES.text_chunk));
    expect(withRun).toStrictEqual({
      ok: true,
      event: { event: "text", source: "text_chunk", answer: "wor", conversationId: undefined, messageId: undefined, taskId: "t1", workflowRunId: "r1" },
    });
    const without = parseDifyEvent(JSON.stringify({ event: "message", answer: "x", conversation_id: null }));
    expect(without).toStrictEqual({
      ok: true,
      event: { event: "text", source: "message", answer: "x", conversationId: undefined, messageId: undefined, taskId: undefined },
    });
  });

  it("refuses a text event with a field of the wrong type, with the schema's reason", () => {
    expect(parseDifyEvent(JSON.stringify({ event: "message", answer: 3 }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^message: answer /) });
    expect(parseDifyEvent(JSON.stringify({ event: "text_chunk", data: { text: 3 } }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^text_chunk: data\.text /),
    });
    expect(parseDifyEvent(JSON.stringify({ event: "agent_message", answer: "x", task_id: 7 }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^agent_message: task_id /),
    });
  });
});
