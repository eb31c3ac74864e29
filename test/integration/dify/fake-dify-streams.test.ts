import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ChatStep, createGate, FakeDifyServer, replies, scripts, steps } from "../../fakes/dify/index.js";
import { chatBody, rawRequest, sseEvents } from "./raw-requests.js";

/** The fake's streams: exact wire bytes, id filling, switches, stop, metrics and lifecycle. */

let dify: FakeDifyServer;
beforeEach(async () => {
  dify = await FakeDifyServer.start();
});
afterEach(async () => {
  await dify.close();
});

const ask = (extra: Record<string, unknown> = {}) => rawRequest(dify, "POST", "/v1/chat-messages", { json: chatBody(extra) });

describe("wire format", () => {
  it("writes compact raw-UTF-8 events in Dify's key order, pings without data, chunked SSE headers", async () => {
    dify.onChat(() => [steps.message("你好"), steps.ping(), steps.messageEnd()]);
    const res = await ask();
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("content-length")).toBeNull();
    expect(res.headers.get("cache-control")).toBeNull();
    const s = dify.streams[0];
    const blocks = res.text.split("\n\n");
    expect(blocks[0]).toBe(
      `data: {"event":"message","conversation_id":"${s?.conversationId}","message_id":"${s?.messageId}","created_at":${dify.store.messages.get(s?.messageId as string)?.createdAt},"task_id":"${s?.taskId}","id":"${s?.messageId}","answer":"你好","from_variable_selector":null}`,
    );
    expect(blocks[1]).toBe("event: ping");
    expect(blocks[2]).toMatch(/^data: \{"event":"message_end",.*"metadata":\{"annotation_reply":null,"retriever_resources":\[\],"usage":\{"prompt_tokens":42,/);
  });

  it("writes pre-1.9 spaced JSON with lower-case \\u escapes, CRLF and data: without a space when asked", async () => {
    dify.configure({ wire: { jsonStyle: "python", lineEnding: "crlf", dataPrefix: "data:" } });
    dify.onChat(() => [
      steps.event({
        event: "message",
        answer: "é👋",
        conversation_id: undefined,
        message_id: undefined,
        created_at: undefined,
        task_id: undefined,
        id: undefined,
      }),
    ]);
    expect((await ask()).text).toBe('data:{"event": "message", "answer": "\\u00e9\\ud83d\\udc4b"}\r\n\r\n');
  });

  it("gives identical events whatever the framing", async () => {
    const script = () => [steps.message("Ünï"), steps.message("cödé 🇯🇵"), steps.ping(), steps.message(" 你好"), steps.messageEnd()];
    dify.onChat(script);
    const baseline = sseEvents((await ask()).text);
    for (const framing of ["byte", "utf8-split", { batch: 2 }, { randomSeed: 99, maxChunkBytes: 7 }] as const) {
      dify.configure({ wire: { framing } });
      const events = sseEvents((await ask()).text);
      const strip = (e: (typeof events)[number]) => (e === "ping" ? e : { ...e, conversation_id: 0, message_id: 0, task_id: 0, id: 0, created_at: 0 });
      expect(events.map(strip)).toEqual(baseline.map(strip));
    }
  });

  it("fills ids the way Dify sends them: no task_id on error, workflow_run_id and data.id on workflow events", async () => {
    dify.configure({ mode: "advanced-chat" });
    dify.onChat(() => scripts.inBandError({ chatflow: true }));
    const events = sseEvents((await ask()).text) as Array<Record<string, unknown>>;
    const runId = events[0]?.workflow_run_id;
    expect(events[0]).toMatchObject({ event: "workflow_started", data: { id: runId } });
    expect(events.filter((e) => e.event !== "error").every((e) => e.task_id === dify.streams[0]?.taskId && e.workflow_run_id === runId)).toBe(true);
    expect(events.at(-2)?.data).toMatchObject({ id: runId, status: "failed", created_by: { user: "u1" } });
    expect(Object.keys(events.at(-1) ?? {})).toEqual(["event", "conversation_id", "message_id", "created_at", "code", "status", "message"]);
  });

  it("adds TTS trailers after the terminal events when auto-play is on", async () => {
    dify.configure({ ttsTrailers: true });
    const names = sseEvents((await ask()).text).map((e) => (e === "ping" ? e : e.event));
    expect(names.slice(-3)).toEqual(["message_end", "tts_message", "tts_message_end"]);
  });

  it("turns text into message_file only for chat turns with files attached (1.11.2 bug switch)", async () => {
    dify.configure({ messageFileTextBug: true });
    const withoutFiles = sseEvents((await ask()).text) as Array<Record<string, unknown>>;
    const withFiles = sseEvents((await ask({ files: [{ type: "image", transfer_method: "remote_url", url: "https://example.com/a.png" }] })).text) as Array<
      Record<string, unknown>
    >;
    expect(withoutFiles[0]?.event).toBe("message");
    expect(withFiles[0]).toMatchObject({ event: "message_file", answer: expect.any(String), from_variable_selector: null });
    expect(withFiles[0]?.url).toBeUndefined();
  });
});

describe("stop, concurrency and metrics", () => {
  it("stops a Chatflow for any user (1.12.1 has no user check there), but chat only for its own user", async () => {
    for (const [mode, expected] of [
      ["advanced-chat", true],
      ["chat", false],
    ] as const) {
      dify.configure({ mode });
      dify.onChat(() => scripts.hang("x"));
      const pending = ask();
      const stream = await dify.waitForStream((s) => s.endReason === undefined);
      await rawRequest(dify, "POST", `/v1/chat-messages/${stream.taskId}/stop`, { json: { user: "intruder" } });
      expect(dify.stopRequests.at(-1)?.stoppedStream).toBe(expected);
      if (!expected) await rawRequest(dify, "POST", `/v1/chat-messages/${stream.taskId}/stop`, { json: { user: "u1" } });
      await pending;
      expect(await stream.done).toBe("stopped");
    }
  });

  it("honours a stop latency, and stops a generator script waiting on its own promise", async () => {
    dify.configure({ stopLatencyMs: 50 });
    const gate = createGate();
    dify.onChat(async function* (turn): AsyncGenerator<ChatStep> {
      yield steps.message(`for ${turn.user}`);
      await gate;
      yield steps.message("never");
    });
    const pending = ask();
    const stream = await dify.waitForStream();
    await dify.waitFor(() => stream.eventsWritten > 0);
    await rawRequest(dify, "POST", `/v1/chat-messages/${stream.taskId}/stop`, { json: { user: "u1" } });
    const names = sseEvents((await pending).text).map((e) => (e === "ping" ? e : e.event));
    expect(names).toEqual(["message", "message_end"]);
    expect(dify.store.messages.get(stream.messageId)?.answer).toBe("for u1");
  });

  it("rejects above the concurrency limit with Dify's text", async () => {
    dify.configure({ concurrencyLimit: 1 });
    dify.onChatOnce(() => scripts.hang());
    const held = ask();
    await dify.waitForStream();
    expect((await ask()).json).toEqual({
      code: "too_many_requests",
      message: "Too many requests. Please try again later. The current maximum concurrent requests allowed for 3c9a7e52-6d1b-4f08-a2e4-8b5d0c7f1a93 is 1.",
      status: 429,
    });
    await dify.close();
    await held.catch(() => undefined);
  });

  it("counts concurrent streams per conversation and overall, and times the first answer byte", async () => {
    const gate = createGate();
    dify.onChat(() => [steps.ping(), steps.waitFor(gate), steps.message("a"), steps.messageEnd()]);
    const first = ask();
    const conversationId = (await dify.waitForStream()).conversationId;
    const second = ask({ conversation_id: conversationId });
    const other = ask();
    await Promise.all([
      dify.waitForStream((s) => s.conversationId === conversationId && s !== dify.streams[0]),
      dify.waitForStream((s) => s.conversationId !== conversationId),
    ]);
    expect(dify.activeStreamCount).toBe(3);
    gate.open();
    await Promise.all([first, second, other]);
    expect(dify.maxConcurrentStreams(conversationId)).toBe(2);
    expect(dify.maxConcurrentStreams(dify.streams[2]?.conversationId)).toBe(1);
    expect(dify.maxConcurrentStreams()).toBe(3);
    for (const s of dify.streams) {
      expect(s.firstAnswerByteAt).toBeGreaterThanOrEqual(s.startedAt);
      expect(s.endedAt).toBeGreaterThanOrEqual(s.firstAnswerByteAt as number);
    }
  });
});

describe("lifecycle and scripting helpers", () => {
  it("closes promptly with streams still open", async () => {
    dify.onChat(() => scripts.hang("open"));
    const pending = ask().catch((err: unknown) => err);
    const stream = await dify.waitForStream();
    await dify.waitFor(() => stream.eventsWritten > 0);
    await dify.close();
    expect(await stream.done).toBe("client-closed");
    expect(await pending).toBeInstanceOf(Error);
  });

  it("answers 500 when a handler throws, and cuts the stream when an HTTP error comes after the first byte", async () => {
    dify.onChatOnce(
      () => {
        throw new Error("test handler bug");
      },
      () => [steps.message("x"), replies.serverError()],
    );
    expect((await ask()).json).toEqual({ message: "Internal Server Error", code: "unknown", status: 500 });
    await expect(ask()).rejects.toThrow();
    expect(dify.streams.map((s) => s.endReason)).toEqual(["http-error", "script-error"]);
  });

  it("queues one-off handlers before the standing one, and removes interceptors", async () => {
    dify.onChat(() => scripts.answer("standing"));
    dify.onChatOnce(
      () => scripts.answer("first"),
      () => scripts.answer("second"),
    );
    const texts = [];
    for (let i = 0; i < 3; i++) texts.push(((await ask({ response_mode: "blocking" })).json as { answer: string }).answer);
    expect(texts).toEqual(["first", "second", "standing"]);
    const remove = dify.intercept(() => replies.json(503, "maintenance", "down"));
    expect((await rawRequest(dify, "GET", "/v1/info")).status).toBe(503);
    remove();
    expect((await rawRequest(dify, "GET", "/v1/info")).status).toBe(200);
  });

  it("serves registered files without a key, and lists a user's conversations", async () => {
    const url = dify.addToolFile({ bytes: "GIF89a", mimeType: "image/gif", extension: "gif" });
    const file = await rawRequest(dify, "GET", url, { auth: null });
    expect([file.status, file.text, file.headers.get("content-type"), file.headers.get("content-length")]).toEqual([200, "GIF89a", "image/gif", "6"]);
    await ask({ query: "a fairly long first question" });
    const list = (await rawRequest(dify, "GET", "/v1/conversations?user=u1")).json as { data: Array<{ name: string }> };
    expect(list.data.map((c) => c.name)).toEqual(["a fairly long first …"]);
  });

  it("can stop recording requests (for long benchmarks) while still tracking streams", async () => {
    dify.configure({ recordRequests: false });
    await ask();
    expect(dify.requests).toHaveLength(0);
    expect(dify.streams).toHaveLength(1);
    dify.clearRecords();
    expect(dify.streams).toHaveLength(0);
  });
});
