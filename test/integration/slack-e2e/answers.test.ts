import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { FAKE_LIMITS, type FakeSlackMessage } from "../../fakes/slack/index.js";
import { answerRevisions, BO, buttonsOf, eventually, expectStreamedGrowth, hasStopButton, isNativeStream, type Posted, SlackE2E } from "./slack-e2e-harness.js";

/** About 6,000 characters of Markdown with CJK, emoji (skin tones, flags) and links: longer than Slack's text limit. */
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

/** 51 paragraphs, over 15,000 characters. */
function longAnswer(): string {
  const paragraphs = Array.from(
    { length: 51 },
    (_, i) => `Paragraph ${String(i + 1).padStart(2, "0")}: ${"lorem ipsum dolor sit amet ".repeat(10).trim()} — 段落 ${i + 1} 🧩.`,
  );
  return paragraphs.join("\n\n");
}

/** What was shown in the thread and is gone now: a native stream's placeholder (with the Stop button) is deleted at the end. */
function deletedBotMessages(e: SlackE2E, q: Posted): FakeSlackMessage[] {
  return e.botMessagesEver(q).filter((m) => m.isDeleted);
}

describe.each(["edit", "auto"] as const)("Slack end to end over HTTP: answers (SLACK_STREAMING=%s)", (mode) => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("a mention is answered in its thread, streamed in growing revisions, ending with the exact Markdown, no Stop button and a short text fallback", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_STREAMING: mode } });
    const answer = richAnswer();
    expect(answer.length).toBeGreaterThan(FAKE_LIMITS.updateTextChars);
    e.dify.onChat(() => scripts.answer(answer, { chunkChars: 120, delayMs: 60 }));

    const q = await e.mention({ text: "Tell me about *Tokyo* and Osaka" });
    const [reply, ...others] = await e.waitForAnswer(q, answer);
    expect(others).toHaveLength(0);
    if (!reply) throw new Error("no reply");

    // In the thread under the mention, posted by the bot; no Stop button anywhere in the thread at the end.
    expect(reply).toMatchObject({ channel: q.channel, threadTs: q.ts, user: e.botUserId, botId: e.slack.team.botId, isDeleted: false });
    expect(reply.markdown).toBe(answer);
    expect(e.botReplies(q).some(hasStopButton)).toBe(false);
    // Whatever carries the text for notifications stays under chat.update's 4,000-character limit.
    expect(reply.text.length).toBeLessThan(4_000);

    // Streamed: several revisions whose text only grew, each a prefix of the answer, the last one exact.
    const texts = answerRevisions(reply);
    expect(texts.length).toBeGreaterThanOrEqual(3);
    expectStreamedGrowth(texts, answer);

    const placeholder = e.slack.callsTo("chat.postMessage")[0];
    expect(placeholder?.args).toMatchObject({ channel: q.channel, thread_ts: q.ts });
    expect(JSON.stringify(placeholder?.args.blocks)).toContain('"Stop"');
    if (isNativeStream(reply)) {
      // Native: startStream, appends, stopStream; the placeholder kept the Stop button meanwhile and is gone now.
      expect(mode).toBe("auto");
      expect(reply.stream).toBe("stopped");
      const vias = reply.revisions.map((r) => r.via);
      expect(vias[0]).toBe("chat.startStream");
      expect(vias.at(-1)).toBe("chat.stopStream");
      expect(vias.slice(1, -1).every((v) => v === "chat.appendStream")).toBe(true);
      expect(vias.length).toBeGreaterThanOrEqual(3);
      expect(e.slack.callsTo("chat.startStream")[0]?.args).toMatchObject({
        channel: q.channel,
        thread_ts: q.ts,
        recipient_user_id: "U0ANA",
        recipient_team_id: "T0FAKE",
      });
      const [gone] = deletedBotMessages(e, q);
      expect(gone && hasStopButton(gone)).toBe(true);
      expect(gone?.revisions.at(-1)?.via).toBe("chat.delete");
      expect(e.slack.callsTo("chat.update")).toHaveLength(0);
    } else {
      // Edits: the placeholder (with Stop) became the answer; the exact text sits in one `markdown` block.
      expect(reply.revisions[0]).toMatchObject({ via: "chat.postMessage", markdown: "_Thinking…_" });
      expect(reply.revisions.slice(1).every((r) => r.via === "chat.update")).toBe(true);
      expect(reply.blocks).toEqual([{ type: "markdown", text: answer }]);
      expect(reply.text.length).toBeGreaterThan(0);
      expect(reply.text).toContain("東京と大阪");
      // Every intermediate edit kept the Stop button; only the final one dropped it.
      expect(reply.revisions.slice(0, -1).every((r) => hasStopButton({ ...reply, blocks: r.blocks }))).toBe(true);
      expect(deletedBotMessages(e, q)).toEqual([]);
      expect(e.slack.callsTo("chat.startStream")).toHaveLength(0);
    }
    expect(e.slack.rateLimitedCalls()).toEqual([]);
    expect(e.slack.calls.filter((c) => c.error !== undefined)).toEqual([]);

    // Dify was asked once, streaming, with the text as a person reads it and the thread's stable user.
    expect(e.dify.chatRequests).toHaveLength(1);
    expect(e.dify.chatRequests[0]?.chat).toMatchObject({
      query: "Tell me about **Tokyo** and Osaka",
      user: q.conversationKey,
      response_mode: "streaming",
      conversation_id: "",
    });
  });

  it("a 15,000-character answer arrives complete across several thread messages, in order, each within Slack's limits", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_STREAMING: mode } });
    const answer = longAnswer();
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
    expect(e.slack.calls.filter((c) => c.error !== undefined).map((c) => `${c.method}: ${c.error}`)).toEqual([]);
  });

  it("an answer with a fenced code block (multi-byte text inside) streams and ends exact, with the code block intact and no Stop button", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_STREAMING: mode } });
    const code = Array.from({ length: 30 }, (_, i) => `const x${i} = "値${i} 😀";`).join("\n");
    const answer = `Here is the code:\n\n\`\`\`ts\n${code}\n\`\`\`\n\nAnd some text after it. ${"Tail sentence. ".repeat(15).trim()}`;
    e.dify.onChat(() => scripts.answer(answer, { chunkChars: 30, delayMs: 40 }));

    const q = await e.mention({ text: "Show me code" });
    const [reply, ...others] = await e.waitForAnswer(q, answer);
    expect(others).toHaveLength(0);
    if (!reply) throw new Error("no reply");
    expect(reply.markdown).toBe(answer);
    if (!isNativeStream(reply)) expect(reply.blocks).toEqual([{ type: "markdown", text: answer }]);
    if (isNativeStream(reply)) {
      // Append-only: the stream ran to the end (no fallback to edits), each revision extending the last one.
      const vias = reply.revisions.map((r) => r.via);
      expect(vias[0]).toBe("chat.startStream");
      expect(vias.at(-1)).toBe("chat.stopStream");
      expect(vias).not.toContain("chat.update");
      const texts = answerRevisions(reply);
      for (let i = 1; i < texts.length; i++) expect(texts[i]?.startsWith(texts[i - 1] ?? "")).toBe(true);
    } else {
      // Edited: every revision showed a valid code block (an open fence is closed in the preview).
      for (const t of answerRevisions(reply)) expect((t.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
    expect(e.botReplies(q).some(hasStopButton)).toBe(false);
    expect(e.slack.rateLimitedCalls()).toEqual([]);
    expect(e.slack.calls.filter((c) => c.error !== undefined).map((c) => `${c.method}: ${c.error}`)).toEqual([]);
  });

  it("suggested questions become buttons after the answer; a click by someone else asks in the same conversation, says who asked, and retires the old buttons", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_STREAMING: mode } });
    e.dify.configure({ parameters: { ...e.dify.settings.parameters, suggested_questions_after_answer: { enabled: true } } });
    e.dify.setSuggestedQuestions(["Tell me more", "Next steps?"]);
    e.dify.onChat((turn) => scripts.answer(`A: ${turn.query}`, { chunkChars: 3, delayMs: 30 }));
    const q = await e.mention({ text: "Plan the launch" });
    const [first] = await e.waitForAnswer(q, "A: Plan the launch");
    if (!first) throw new Error("no reply");
    const withButtons = await eventuallyButtons(e, q, first.ts, 2);
    expect(buttonsOf(withButtons).map((b) => b.label)).toEqual(["Tell me more", "Next steps?"]);

    await e.click(withButtons, "Next steps?", BO);
    const expected = "A: Plan the launch\n\n**Bo** asked: Next steps?\n\nA: Next steps?";
    const replies = await e.waitForAnswer(q, expected);
    expect(replies).toHaveLength(2);
    expect(replies[1]?.threadTs).toBe(q.ts);
    const [ask, followUp] = e.dify.chatRequests;
    expect(followUp?.chat).toMatchObject({ query: "Next steps?", conversation_id: e.dify.streams[0]?.conversationId, user: q.conversationKey });
    expect(followUp?.chat.user).toBe(ask?.chat.user);
    // The new answer has the buttons now; the first keeps its text without them.
    await eventuallyButtons(e, q, replies[1]?.ts ?? "", 2);
    await eventuallyButtons(e, q, first.ts, 0);
    expect(e.slack.messages.get(q.channel, first.ts)?.markdown).toBe("A: Plan the launch");
  });
});

/** Waits until the message at `ts` shows exactly `count` buttons. */
function eventuallyButtons(e: SlackE2E, q: Posted, ts: string, count: number): Promise<FakeSlackMessage> {
  return eventually(() => {
    const m = e.slack.messages.get(q.channel, ts);
    return m && buttonsOf(m).length === count ? m : undefined;
  });
}

describe("Slack end to end over HTTP: follow-ups and rate limits", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

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
    expect(b?.chat).toMatchObject({ query: "And a follow-up from me", conversation_id: e.dify.streams[0]?.conversationId, user: q.conversationKey });
    expect(e.dify.streams[1]?.conversationId).toBe(e.dify.streams[0]?.conversationId);
  });

  it("a 429 from chat.update is honoured: no chat.update before Retry-After, and the final text is still exact", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_STREAMING: "edit" } });
    const answer = "Rate limits are part of life. ".repeat(12).trim();
    e.dify.onChat(() => scripts.answer(answer, { chunkChars: 20, delayMs: 60 }));
    e.slack.failNext("chat.update", { kind: "rate_limited", retryAfterSec: 1 });

    const q = await e.mention({ text: "Stream under a rate limit" });
    const [reply] = await e.waitForAnswer(q, answer);
    expect(reply?.blocks).toEqual([{ type: "markdown", text: answer }]);

    const updates = e.slack.callsTo("chat.update");
    const limited = updates.findIndex((c) => c.status === 429);
    const hit = updates[limited];
    if (!hit) throw new Error("no 429 recorded");
    const after = updates.slice(limited + 1);
    expect(after.length).toBeGreaterThan(0);
    // Retry-After: 1 s. No later chat.update reached Slack before that.
    for (const c of after) expect(c.atMs).toBeGreaterThanOrEqual(hit.atMs + 1_000);
    expect(e.slack.rateLimitedCalls()).toHaveLength(1);
  });

  it("a 429 from chat.appendStream is honoured the same way in native streaming, and the streamed text is still exact", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_STREAMING: "native" } });
    const answer = "Native streams respect Retry-After too. ".repeat(14).trim();
    e.dify.onChat(() => scripts.answer(answer, { chunkChars: 20, delayMs: 70 }));
    e.slack.failNext("chat.appendStream", { kind: "rate_limited", retryAfterSec: 1 });

    const q = await e.mention({ text: "Stream natively under a rate limit" });
    const [reply] = await e.waitForAnswer(q, answer);
    expect(reply?.stream).toBe("stopped");

    const streamCalls = e.slack.calls.filter((c) => c.method === "chat.appendStream" || c.method === "chat.stopStream");
    const limited = streamCalls.findIndex((c) => c.status === 429);
    const hit = streamCalls[limited];
    if (!hit) throw new Error("no 429 recorded");
    const after = streamCalls.slice(limited + 1);
    expect(after.length).toBeGreaterThan(0);
    for (const c of after) expect(c.atMs).toBeGreaterThanOrEqual(hit.atMs + 1_000);
    expect(e.slack.rateLimitedCalls()).toHaveLength(1);
    expect(e.botReplies(q).some(hasStopButton)).toBe(false);
  });
});
