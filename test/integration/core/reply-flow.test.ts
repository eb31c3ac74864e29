import { afterEach, describe, expect, it } from "vitest";
import type { InboundEvent } from "../../../src/contracts/chat-platform.js";
import { scripts, steps } from "../../fakes/dify/index.js";
import type { FakePlatform } from "../../fakes/fake-platform.js";
import { type BridgeHarness, eventually, startBridge } from "../../support/bridge-harness.js";

/** The reply (every visible bot message in the thread) once it has no Stop button left, i.e. is final. */
function finalReply(platform: FakePlatform, channelId: string, threadId: string) {
  const messages = platform.visibleMessages({ channelId, threadId });
  if (messages.length === 0) return undefined;
  if (messages.some((m) => (m.content.buttons ?? []).some((b) => b.label === "Stop"))) return undefined;
  if (messages.some((m) => m.content.markdown.startsWith("_"))) return undefined;
  return messages;
}

function messageOf(e: InboundEvent) {
  if (e.kind !== "message") throw new Error("not a message");
  return e.message;
}

describe("reply flow: fake platform → real core (Redis, BullMQ) → fake Dify", () => {
  let h: BridgeHarness;
  afterEach(async () => h?.close());

  it("streams an answer: placeholder at once, growing edits, exact final text; Dify got query, inputs, user, streaming", async () => {
    h = await startBridge({ env: { DIFY_INPUTS: '{"tone":"friendly"}' } });
    const answer = "Hello **Ana**! Here is a long answer with 漢字 and emoji 😀. ".repeat(6).trim();
    h.dify.onChat(() => scripts.answer(answer, { chunkChars: 7, delayMs: 15 }));
    const event = h.platform.message({ text: "What is the handbook about?" });
    const msg = messageOf(event);
    await h.platform.emit(event);

    const reply = await eventually(() => finalReply(h.platform, "C1", msg.messageId));
    expect(reply.map((m) => m.content.markdown).join("")).toBe(answer);

    const [req] = h.dify.chatRequests;
    expect(req?.chat).toMatchObject({
      query: "What is the handbook about?",
      user: msg.conversationKey,
      inputs: { tone: "friendly" },
      response_mode: "streaming",
      conversation_id: "",
    });
    const first = h.platform.ops[0];
    expect(first?.op).toBe("post");
    expect(first?.content?.markdown).toBe("_Thinking…_");
    expect(first?.content?.buttons?.map((b) => b.label)).toEqual(["Stop"]);
    const edits = h.platform.opsOf("edit").map((o) => o.content?.markdown ?? "");
    expect(edits.length).toBeGreaterThan(2);
    // The text grew edit by edit (each intermediate edit is a prefix of the answer) and the last edit is exact.
    for (const text of edits.slice(0, -1)) expect(answer.startsWith(text)).toBe(true);
    expect(edits.at(-1)).toBe(answer);
  });

  it("a follow-up in the thread (no mention) continues the same Dify conversation with the same user", async () => {
    h = await startBridge();
    h.dify.onChat((turn) => scripts.answer(`Answer to: ${turn.query}`));
    const first = messageOf(h.platform.message({ text: "First question" }));
    await h.platform.emit({ kind: "message", message: first });
    await eventually(() => finalReply(h.platform, "C1", first.messageId));
    const follow = h.platform.message({ text: "And a follow-up", threadId: first.messageId, mentionsBot: false });
    await h.platform.emit(follow);
    await eventually(() => h.dify.streams.length === 2 && h.dify.streams[1]?.endReason);
    const [a, b] = h.dify.chatRequests;
    expect(b?.chat.conversation_id).toBe(h.dify.streams[0]?.conversationId);
    expect(b?.chat.user).toBe(a?.chat.user);
    await eventually(() => h.platform.visibleText({ channelId: "C1", threadId: first.messageId }).includes("Answer to: And a follow-up"));
  });

  it("a thread message that is not for the bot, or mentions only someone else, is ignored", async () => {
    h = await startBridge();
    await h.platform.emit(h.platform.message({ text: "chatting among humans", mentionsBot: false, threadId: "unrelated" }));
    const first = messageOf(h.platform.message({ text: "Question" }));
    await h.platform.emit({ kind: "message", message: first });
    await eventually(() => finalReply(h.platform, "C1", first.messageId));
    await h.platform.emit(h.platform.message({ text: "@Bo what do you think?", threadId: first.messageId, mentionsBot: false, mentionsOthers: true }));
    await new Promise((r) => setTimeout(r, 300));
    expect(h.dify.chatRequests).toHaveLength(1);
  });

  it("the same event delivered three times gives one Dify call and one reply", async () => {
    h = await startBridge();
    h.dify.onChat(() => scripts.answer("Only once.", { delayMs: 20 }));
    const event = h.platform.message({ text: "Hello?" });
    await Promise.all([h.platform.emit(event), h.platform.emit(event), h.platform.emit(event)]);
    await h.platform.emit(event);
    const msg = messageOf(event);
    await eventually(() => finalReply(h.platform, "C1", msg.messageId));
    await new Promise((r) => setTimeout(r, 300));
    expect(h.dify.chatRequests).toHaveLength(1);
    expect(h.platform.opsOf("post")).toHaveLength(1);
    expect(h.platform.visibleMessages({ channelId: "C1", threadId: msg.messageId })).toHaveLength(1);
  });

  it("five messages sent together in one thread are answered strictly in order, one Dify call at a time, the waiting ones shown as queued at once", async () => {
    h = await startBridge();
    h.dify.onChat((turn) => scripts.answer(`Answer to ${turn.query}`, { chunkChars: 3, delayMs: 25 }));
    const first = messageOf(h.platform.message({ text: "Q1" }));
    await h.platform.emit({ kind: "message", message: first });
    const rest = [2, 3, 4, 5].map((n) => h.platform.message({ text: `Q${n}`, threadId: first.messageId, mentionsBot: false }));
    await Promise.all(rest.map((e) => h.platform.emit(e)));

    // Every waiting message got its placeholder right away, saying it is queued.
    await eventually(() => h.platform.opsOf("post").length === 5);
    const queued = h.platform.opsOf("post").filter((o) => o.content?.markdown.startsWith("_Queued"));
    expect(queued.length).toBeGreaterThanOrEqual(3);

    await eventually(() => h.dify.streams.length === 5 && h.dify.streams.every((s) => s.endReason === "completed"), 20_000);
    expect(h.dify.chatRequests.map((r) => r.chat.query)).toEqual(["Q1", "Q2", "Q3", "Q4", "Q5"]);
    // Never two Dify calls at once for the thread.
    const spans = h.dify.streams.map((s) => [s.startedAt, s.endedAt ?? Number.POSITIVE_INFINITY] as const);
    for (let i = 1; i < spans.length; i++) expect(spans[i]?.[0]).toBeGreaterThanOrEqual(spans[i - 1]?.[1] ?? 0);
    // Each answer landed in its own reply, in order.
    await eventually(() => {
      const texts = h.platform.visibleMessages({ channelId: "C1", threadId: first.messageId }).map((m) => m.content.markdown);
      return texts.join("|") === ["Q1", "Q2", "Q3", "Q4", "Q5"].map((q) => `Answer to ${q}`).join("|");
    });
  });

  it("a bare mention gets the app's opening statement and starter questions, without asking Dify", async () => {
    h = await startBridge();
    const params = {
      ...h.dify.settings.parameters,
      opening_statement: "Hi, I answer handbook questions.",
      suggested_questions: ["Where is the office?", "How do I book leave?"],
    };
    h.dify.configure({ parameters: params });
    const event = h.platform.message({ text: "" });
    await h.platform.emit(event);
    const reply = await eventually(() => finalReply(h.platform, "C1", messageOf(event).messageId));
    expect(reply[0]?.content.markdown).toBe("Hi, I answer handbook questions.");
    expect(reply[0]?.content.buttons?.map((b) => b.label)).toEqual(["Where is the office?", "How do I book leave?"]);
    expect(h.dify.chatRequests).toHaveLength(0);
  });

  it("!new starts a fresh conversation in the same thread", async () => {
    h = await startBridge();
    h.dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const first = messageOf(h.platform.message({ text: "Q1", isDirectMessage: true }));
    await h.platform.emit({ kind: "message", message: first });
    await eventually(() => h.dify.streams[0]?.endReason);
    await h.platform.emit(h.platform.message({ text: "!new", threadId: first.messageId, isDirectMessage: true }));
    await eventually(() => h.platform.visibleText({ channelId: "C1", threadId: first.messageId }).includes("Started a new conversation"));
    await h.platform.emit(h.platform.message({ text: "Q2", threadId: first.messageId, isDirectMessage: true }));
    await eventually(() => h.dify.streams[1]?.endReason);
    expect(h.dify.chatRequests[1]?.chat.conversation_id).toBe("");
    expect(h.dify.streams[1]?.conversationId).not.toBe(h.dify.streams[0]?.conversationId);
  });

  it("a mention in a thread that already has messages sends the thread so far as context", async () => {
    h = await startBridge();
    h.platform.history.set("C1:T-old", [
      { author: { userId: "U2", displayName: "Bo" }, isBot: false, text: "The printer on floor 2 is broken." },
      { author: { userId: "U3", displayName: "Cy" }, isBot: false, text: "Since Monday." },
    ]);
    await h.platform.emit(h.platform.message({ text: "Who fixes printers?", threadId: "T-old", inExistingThread: true }));
    await eventually(() => h.dify.chatRequests.length === 1);
    const query = String(h.dify.chatRequests[0]?.chat.query ?? "");
    expect(query).toContain("Bo: The printer on floor 2 is broken.");
    expect(query).toContain("Cy: Since Monday.");
    expect(query.endsWith("Who fixes printers?")).toBe(true);
  });

  it("shows progress (tool calls) while no text has arrived, then the answer", async () => {
    h = await startBridge({ dify: { mode: "agent-chat" } });
    h.dify.onChat(() => {
      const agent = scripts.agent("The weather is sunny.", { tools: [{ tool: "weather_lookup", input: { city: "Oslo" }, observation: "sunny" }], delayMs: 60 });
      // The tool takes a moment, as real tools do: the step is announced, then the answer starts later.
      return [steps.delay(50), ...agent.slice(0, 2), steps.delay(400), ...agent.slice(2)];
    });
    const event = h.platform.message({ text: "Weather in Oslo?" });
    await h.platform.emit(event);
    const reply = await eventually(() => finalReply(h.platform, "C1", messageOf(event).messageId));
    expect(reply[0]?.content.markdown).toBe("The weather is sunny.");
    const shown = h.platform.messages.get(reply[0]?.ref.messageId ?? "")?.history.map((c) => c.markdown) ?? [];
    expect(shown).toContain("_Using weather lookup…_");
  });
});
