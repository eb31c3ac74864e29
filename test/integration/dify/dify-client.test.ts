import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DifyAbortedError, DifyStreamError, DifyTimeoutError } from "../../../src/dify/errors.js";
import { createGate, FakeDifyServer, type Framing, scripts, steps, transcriptSteps, type WireOptions } from "../../fakes/dify/index.js";
import { DIFY_TRANSCRIPTS, readTranscript, TRANSCRIPT_NAMES } from "../../fixtures/dify/transcripts.js";
import { captureLogger, chat, clientFor, drain, firstEvent, textOf } from "./client-helpers.js";

let dify: FakeDifyServer;
beforeEach(async () => {
  dify = await FakeDifyServer.start();
});
afterEach(async () => {
  await dify.close();
});

describe("DifyClient.streamChat", () => {
  it("streams an answer and sends what Dify expects", async () => {
    dify.onChat((turn) => scripts.answer(`Hello ${turn.user}! 你好 👋`, { chunkChars: 4 }));
    const { events, error } = await drain(clientFor(dify).streamChat(chat("hi there")));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe("Hello slack:T1:U1! 你好 👋");
    expect(events.at(-1)?.event).toBe("message_end");
    const [sent] = dify.chatRequests;
    expect(sent?.headers.authorization).toBe(`Bearer ${dify.apiKey}`);
    expect(sent?.headers.accept).toBe("text/event-stream");
    expect(sent?.headers["content-type"]).toBe("application/json");
    expect(sent?.chat).toEqual({
      query: "hi there",
      inputs: {},
      user: "slack:T1:U1",
      response_mode: "streaming",
      conversation_id: "",
      files: [],
      auto_generate_name: true,
    });
    const stream = dify.streams[0];
    expect(events.every((e) => e.taskId === stream?.taskId && e.messageId === stream?.messageId && e.conversationId === stream?.conversationId)).toBe(true);
  });

  it("continues a conversation and Dify stores both turns", async () => {
    const client = clientFor(dify);
    const first = await drain(client.streamChat(chat("first")));
    const conversationId = first.events[0]?.conversationId as string;
    dify.onChat((turn) => scripts.answer(`turn ${turn.history.length + 1} in ${turn.conversationId === conversationId ? "same" : "other"}`));
    const second = await drain(client.streamChat(chat("second", { conversationId })));
    expect(textOf(second.events)).toBe("turn 2 in same");
    expect(dify.chatRequests[1]?.chat.conversation_id).toBe(conversationId);
    const stored = await client.getMessages(conversationId, "slack:T1:U1");
    expect(stored.map((m) => [m.query, m.answer])).toEqual([
      ["first", "echo: first"],
      ["second", "turn 2 in same"],
    ]);
  });

  it("sends attached files and reads text Dify streams as message_file (1.11.2 bug)", async () => {
    dify.configure({ messageFileTextBug: true });
    const client = clientFor(dify);
    const upload = await client.uploadFile({ data: new Uint8Array([0x89, 0x50, 0x4e, 0x47]), name: "logo.png", mimeType: "image/png" }, "slack:T1:U1");
    dify.onChat(() => scripts.answer("I see the Dify logo.", { chunkChars: 5 }));
    const { events } = await drain(client.streamChat({ ...chat("what is this?"), files: [{ type: "image", uploadFileId: upload.id }] }));
    expect(textOf(events)).toBe("I see the Dify logo.");
    expect(events.filter((e) => e.event === "text").every((e) => e.event === "text" && e.source === "message_file")).toBe(true);
    expect(dify.chatRequests[0]?.chat.files).toEqual([{ type: "image", transfer_method: "local_file", upload_file_id: upload.id }]);
  });

  const wires: ReadonlyArray<[string, Partial<WireOptions>]> = [
    ["every byte in its own write", { framing: "byte" }],
    ["random split points (seed 7)", { framing: { randomSeed: 7, maxChunkBytes: 13 } }],
    ["splits inside UTF-8 characters", { framing: "utf8-split" }],
    ["several events per write", { framing: { batch: 4 } as Framing }],
    ["CRLF and data: without a space", { lineEnding: "crlf", dataPrefix: "data:" }],
    ["spaced JSON with \\u escapes (pre-1.9)", { jsonStyle: "python" }],
  ];
  it.each(wires)("gives the same events when the wire uses %s", async (_label, wire) => {
    const answer = "Ünïcödé 你好世界 👨‍👩‍👧 🇯🇵 done.";
    dify.onChat(() => [
      steps.ping(),
      ...scripts.answer(answer, { chunkChars: 3 }).slice(0, 3),
      steps.ping(),
      ...scripts.answer(answer, { chunkChars: 3 }).slice(3),
    ]);
    const baseline = await drain(clientFor(dify).streamChat(chat("q")));
    dify.configure({ wire });
    const varied = await drain(clientFor(dify).streamChat(chat("q")));
    expect(varied.error).toBeUndefined();
    expect(textOf(varied.events)).toBe(answer);
    const strip = (e: (typeof baseline.events)[number]) => ({ ...e, conversationId: undefined, messageId: undefined, taskId: undefined });
    expect(varied.events.map(strip)).toEqual(baseline.events.map(strip));
  });

  it.each(TRANSCRIPT_NAMES)("replays the recorded %s transcript", async (name) => {
    const fixture = DIFY_TRANSCRIPTS[name];
    dify.configure({ mode: fixture.mode });
    dify.onChat(() => transcriptSteps(readTranscript(name)));
    const logger = captureLogger();
    const { events, error } = await drain(clientFor(dify, { logger }).streamChat(chat("q")));
    const shown =
      fixture.mode === "agent" ? ((events.filter((e) => e.event === "text").at(-1) as { answer?: string } | undefined)?.answer ?? "") : textOf(events);
    expect(shown).toBe(fixture.answer);
    if (fixture.outcome === "error") expect(error).toBeInstanceOf(DifyStreamError);
    else expect(error).toBeUndefined();
    const warned = logger.entries.filter((e) => e.level === "warn").map((e) => e.msg);
    expect(warned).toEqual(name === "chat-malformed-event" ? ["skipped a malformed Dify event"] : []);
  });

  it("ends the HTTP request on the server when the caller aborts mid-stream", async () => {
    const gate = createGate();
    dify.onChat(() => [steps.message("partial "), steps.waitFor(gate), ...scripts.answer("never")]);
    const controller = new AbortController();
    const iterator = clientFor(dify).streamChat(chat("q"), { signal: controller.signal });
    expect(await firstEvent(iterator)).toMatchObject({ event: "text", answer: "partial " });
    const pending = iterator.next();
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(DifyAbortedError);
    expect(await dify.streams[0]?.done).toBe("client-closed");
    expect(dify.activeStreamCount).toBe(0);
  });

  it("ends the HTTP request when the consumer leaves the loop early", async () => {
    dify.onChat(() => [steps.message("one"), ...scripts.hang("two")]);
    for await (const event of clientFor(dify).streamChat(chat("q"))) {
      expect(event).toMatchObject({ event: "text", answer: "one" });
      break;
    }
    expect(await dify.streams[0]?.done).toBe("client-closed");
  });

  it("times out a stream that goes silent (no event, not even a ping)", async () => {
    dify.onChat(() => scripts.hang("thinking…"));
    const { events, error } = await drain(clientFor(dify, { idleTimeoutMs: 300 }).streamChat(chat("q")));
    expect(textOf(events)).toBe("thinking…");
    expect(error).toBeInstanceOf(DifyTimeoutError);
    expect(await dify.streams[0]?.done).toBe("client-closed");
  });

  it("times out when Dify sends no headers at all", async () => {
    dify.onChat(() => scripts.hang());
    const { events, error } = await drain(clientFor(dify, { idleTimeoutMs: 300 }).streamChat(chat("q")));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(DifyTimeoutError);
  });

  it("keeps a slow stream alive while pings arrive", async () => {
    // Silence (2 s) longer than the idle timeout (1 s), bridged by pings every 50 ms: a 20x margin for busy machines.
    dify.configure({ pingIntervalMs: 50 });
    dify.onChat(() => [steps.message("slow "), steps.delay(2_000), ...scripts.answer("but alive")]);
    const { events, error } = await drain(clientFor(dify, { idleTimeoutMs: 1_000 }).streamChat(chat("q")));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe("slow but alive");
  });
});

describe("DifyClient.stopTask", () => {
  it("makes the running stream end with a normal message_end and keeps the partial answer", async () => {
    dify.onChat(() => scripts.hang("Half an ans"));
    const client = clientFor(dify);
    const iterator = client.streamChat(chat("long question"));
    const first = await firstEvent(iterator);
    await client.stopTask(first.taskId as string, "slack:T1:U1");
    const rest = await drain({ [Symbol.asyncIterator]: () => iterator });
    expect(rest.error).toBeUndefined();
    expect(rest.events.map((e) => e.event)).toEqual(["text", "message_end"]);
    expect(await dify.streams[0]?.done).toBe("stopped");
    expect(dify.stopRequests).toEqual([expect.objectContaining({ taskId: first.taskId, user: "slack:T1:U1", stoppedStream: true })]);
    expect(dify.stopRequests[0]?.request.json).toEqual({ user: "slack:T1:U1" });
    expect((await client.getMessages(first.conversationId as string, "slack:T1:U1"))[0]?.answer).toBe("Half an ans");
  });

  it("stops a Chatflow with workflow_finished(stopped) then message_end", async () => {
    dify.configure({ mode: "advanced-chat" });
    dify.onChat(() => [steps.workflowStarted(), steps.message("partial"), ...scripts.hang()]);
    const client = clientFor(dify);
    const iterator = client.streamChat(chat("q"));
    const started = await firstEvent(iterator);
    await client.stopTask(started.taskId as string, "slack:T1:U1");
    const rest = await drain({ [Symbol.asyncIterator]: () => iterator });
    expect(rest.events.map((e) => e.event)).toEqual(["text", "workflow_finished", "message_end"]);
    expect(rest.events[1]).toMatchObject({ status: "stopped" });
  });

  it("stops nothing for another user, and always answers success", async () => {
    dify.onChat(() => scripts.hang("mine"));
    const client = clientFor(dify);
    const controller = new AbortController();
    const iterator = client.streamChat(chat("q"), { signal: controller.signal });
    const first = await firstEvent(iterator);
    await client.stopTask(first.taskId as string, "someone-else");
    await client.stopTask("no-such-task", "slack:T1:U1");
    expect(dify.stopRequests.map((s) => s.stoppedStream)).toEqual([false, false]);
    expect(dify.streams[0]?.endReason).toBeUndefined();
    controller.abort();
    await expect(iterator.next()).rejects.toBeInstanceOf(DifyAbortedError);
  });
});
