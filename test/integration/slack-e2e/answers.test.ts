import { afterEach, describe, expect, it } from "vitest";
import { FAKE_LIMITS } from "../../fakes/slack/index.js";
import { scripts } from "../../fakes/dify/index.js";
import { ANA, BO, eventually, hasStopButton, shownTexts, SlackE2E } from "./slack-e2e-harness.js";

/** About 4,500 characters of Markdown with CJK, emoji (with skin tones and flags) and links: longer than Slack's text limit. */
function richAnswer(): string {
  const sections = Array.from({ length: 13 }, (_, i) =>
    [
      `## Part ${i + 1}: 東京と大阪 🍣`,
      `Here is **bold**, _italic_, \`inline code\`, a [link](https://example.com/docs/${i}) and emoji 😀👍🏽🇯🇵.`,
      `- 漢字テスト item one — ありがとう`,
      `- 한국어 item two ✅`,
      `> A quote with "quotes" & ampersands <angle brackets> that Slack would escape in mrkdwn.`,
      `Numbers ${i * 1000} to ${i * 1000 + 999} and a longer sentence that keeps going so that the answer is long enough.`,
    ].join("\n"),
  );
  return sections.join("\n\n");
}

describe("Slack end to end over HTTP: answers", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("a mention is answered in its thread, streamed through growing chat.update revisions, ending with the exact Markdown, no Stop button and a short text fallback", async () => {
    e = await SlackE2E.start();
    const answer = richAnswer();
    expect(answer.length).toBeGreaterThan(FAKE_LIMITS.updateTextChars);
    e.dify.onChat(() => scripts.answer(answer, { chunkChars: 100, delayMs: 50 }));

    const q = await e.mention({ text: "Tell me about *Tokyo* and Osaka" });
    const [reply, ...others] = await e.waitForAnswer(q, answer);
    expect(others).toHaveLength(0);
    if (!reply) throw new Error("no reply");

    // In the thread under the mention, posted by the bot.
    expect(reply).toMatchObject({ channel: q.channel, threadTs: q.ts, user: e.botUserId, botId: e.slack.team.botId, isDeleted: false });
    // The exact answer in one `markdown` block; nothing else (no Stop button, no footer).
    expect(reply.blocks).toEqual([{ type: "markdown", text: answer }]);
    expect(hasStopButton(reply)).toBe(false);
    // The plain-text fallback (notifications) stays under chat.update's 4,000-character limit.
    expect(reply.text.length).toBeGreaterThan(0);
    expect(reply.text.length).toBeLessThan(4_000);
    expect(reply.text).toContain("東京と大阪");

    // Streamed: the placeholder, then several edits whose text only grew, each a prefix of the answer.
    const texts = shownTexts(reply);
    expect(reply.revisions[0]?.via).toBe("chat.postMessage");
    expect(texts[0]).toBe("_Thinking…_");
    expect(hasStopButton({ ...reply, blocks: reply.revisions[0]?.blocks ?? [] })).toBe(true);
    const edits = reply.revisions.slice(1);
    expect(edits.every((r) => r.via === "chat.update")).toBe(true);
    expect(edits.length).toBeGreaterThanOrEqual(3);
    const growing = texts.slice(1);
    for (let i = 0; i < growing.length; i++) {
      expect(answer.startsWith(growing[i] ?? "\u0000")).toBe(true);
      if (i > 0) expect((growing[i] ?? "").length).toBeGreaterThan((growing[i - 1] ?? "").length);
    }
    expect(growing.at(-1)).toBe(answer);
    // Every intermediate edit kept the Stop button; only the final one dropped it.
    expect(edits.slice(0, -1).every((r) => hasStopButton({ ...reply, blocks: r.blocks }))).toBe(true);
    expect(e.slack.rateLimitedCalls()).toEqual([]);

    // Dify was asked once, streaming, with the text as a person reads it and the thread's stable user.
    expect(e.dify.chatRequests).toHaveLength(1);
    expect(e.dify.chatRequests[0]?.chat).toMatchObject({
      query: "Tell me about **Tokyo** and Osaka",
      user: q.conversationKey,
      response_mode: "streaming",
      conversation_id: "",
    });
  });

  it("a follow-up in the thread without a mention continues the same Dify conversation with the same user", async () => {
    e = await SlackE2E.start();
    e.dify.onChat((turn) => scripts.answer(`Answer to: ${turn.query}`));
    const q = await e.mention({ text: "First question" });
    await e.waitForAnswer(q, "Answer to: First question");

    // Someone else in the thread follows up, without mentioning the bot.
    await e.threadReply(q, { user: BO.id, text: "And a follow-up from me" });
    const replies = await e.waitForAnswer(q, "Answer to: First question\n\nAnswer to: And a follow-up from me");
    expect(replies).toHaveLength(2);
    expect(replies.every((m) => m.threadTs === q.ts)).toBe(true);

    const [a, b] = e.dify.chatRequests;
    expect(e.dify.chatRequests).toHaveLength(2);
    expect(a?.chat.conversation_id).toBe("");
    expect(b?.chat.conversation_id).toBe(e.dify.streams[0]?.conversationId);
    expect(b?.chat.user).toBe(a?.chat.user);
    expect(b?.chat.user).toBe(q.conversationKey);
    expect(e.dify.streams[1]?.conversationId).toBe(e.dify.streams[0]?.conversationId);
    void ANA;
  });

  it("a 15,000-character answer arrives complete across several thread messages, in order, each within Slack's limits", async () => {
    e = await SlackE2E.start();
    const paragraphs = Array.from({ length: 51 }, (_, i) => `Paragraph ${String(i + 1).padStart(2, "0")}: ${"lorem ipsum dolor sit amet ".repeat(10).trim()} — 段落 ${i + 1} 🧩.`);
    const answer = paragraphs.join("\n\n");
    expect(answer.length).toBeGreaterThanOrEqual(15_000);
    e.dify.onChat(() => scripts.answer(answer, { chunkChars: 600, delayMs: 15 }));

    const q = await e.mention({ text: "Write a very long answer" });
    const parts = await e.waitForAnswer(q, answer);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    // In order (thread order is ts order), nothing lost or repeated: the parts are the answer cut at paragraph breaks.
    expect(parts.map((m) => m.markdown).join("\n\n")).toBe(answer);
    for (const part of parts) {
      expect(part.threadTs).toBe(q.ts);
      expect(part.markdown.length).toBeLessThanOrEqual(FAKE_LIMITS.markdownChars);
      expect(part.text.length).toBeLessThan(FAKE_LIMITS.updateTextChars);
      expect(part.blocks.length).toBeLessThanOrEqual(FAKE_LIMITS.blocks);
      expect(hasStopButton(part)).toBe(false);
    }
    expect(e.dify.chatRequests).toHaveLength(1);
    // Slack refused nothing along the way.
    expect(e.slack.calls.filter((c) => c.error !== undefined)).toEqual([]);
  });

  it("a 429 from chat.update is honoured: no chat.update before Retry-After, and the final text is still exact", async () => {
    e = await SlackE2E.start();
    const answer = "Rate limits are part of life. ".repeat(12).trim();
    e.dify.onChat(() => scripts.answer(answer, { chunkChars: 20, delayMs: 60 }));
    e.slack.failNext("chat.update", { kind: "rate_limited", retryAfterSec: 1 });

    const q = await e.mention({ text: "Stream under a rate limit" });
    const [reply] = await e.waitForAnswer(q, answer);
    expect(reply?.blocks).toEqual([{ type: "markdown", text: answer }]);

    const updates = e.slack.callsTo("chat.update");
    const limited = updates.findIndex((c) => c.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    const hit = updates[limited];
    if (!hit) throw new Error("no 429 recorded");
    const after = updates.slice(limited + 1);
    expect(after.length).toBeGreaterThan(0);
    // Retry-After: 1 s. The next chat.update reached Slack no earlier than that.
    for (const c of after) expect(c.atMs).toBeGreaterThanOrEqual(hit.atMs + 1_000);
    expect(e.slack.rateLimitedCalls()).toHaveLength(1);
  });
});
