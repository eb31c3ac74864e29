import { afterEach, describe, expect, it } from "vitest";
import { createGate, scripts, steps } from "../../fakes/dify/index.js";
import { slackTs } from "../../fakes/slack/index.js";
import { ANA, answerRevisions, BO, eventually, expectStreamedGrowth, hasStopButton, isNativeStream, SlackE2E, settle } from "./slack-e2e-harness.js";

describe("Slack end to end over Socket Mode", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("connects with the app token; a mention is answered in its thread, streamed in growing revisions, with the exact Markdown and no Stop button", async () => {
    e = await SlackE2E.start({ transport: "socket" });
    expect(e.slack.callsTo("apps.connections.open").map((c) => c.auth)).toEqual(["app"]);
    expect(e.platform.httpRoutes).toBeUndefined();
    const answer =
      "## Résumé 📋\n\n**Socket Mode** works: 日本語のテキスト, emoji 🎉👩‍💻 and a [link](https://example.com).\n\n" +
      "More text streaming in. ".repeat(12).trim();
    e.dify.onChat(() => scripts.answer(answer, { chunkChars: 12, delayMs: 60 }));

    const q = await e.mention({ text: "Over the socket, please" });
    const [reply, ...others] = await e.waitForAnswer(q, answer);
    expect(others).toHaveLength(0);
    if (!reply) throw new Error("no reply");
    expect(reply).toMatchObject({ channel: q.channel, threadTs: q.ts, user: e.botUserId, markdown: answer });
    // The default (auto) may stream natively or by edits; either way the text grew and ended exact.
    if (!isNativeStream(reply)) expect(reply.blocks).toEqual([{ type: "markdown", text: answer }]);
    expect(reply.text.length).toBeLessThan(4_000);
    expect(e.botReplies(q).some(hasStopButton)).toBe(false);
    expectStreamedGrowth(answerRevisions(reply), answer);
    // Both copies of the mention were acknowledged; Dify was asked once, as the thread's user.
    expect(e.slack.socket.acks).toHaveLength(2);
    expect(e.dify.chatRequests).toHaveLength(1);
    expect(e.dify.chatRequests[0]?.chat).toMatchObject({ query: "Over the socket, please", user: q.conversationKey });
  });

  it("a mention delivered as app_mention and message, and redelivered with retry_attempt, gives one Dify call and one answer", async () => {
    e = await SlackE2E.start({ transport: "socket" });
    e.dify.onChat(() => scripts.answer("Exactly one answer.", { chunkChars: 5, delayMs: 20 }));
    const channel = "C0SOCKET";
    const ts = slackTs();
    const text = `<@${e.botUserId}> once only`;
    e.slack.messages.add({ channel, ts, user: ANA.id, text, via: "user" });
    const [appMention, message] = e.slack.payloads.mentionPair({ channel, user: ANA.id, ts, text });
    await Promise.all([e.send(appMention), e.send(message)]);
    await e.send(appMention, { retryNum: 1, retryReason: "timeout" });

    const q = e.where(channel, ts);
    await e.waitForAnswer(q, "Exactly one answer.");
    await settle();
    expect(e.slack.socket.delivered.map((d) => d.retryAttempt)).toEqual([0, 0, 1]);
    expect(e.slack.socket.acks).toHaveLength(3);
    expect(e.dify.chatRequests).toHaveLength(1);
    expect(e.botReplies(q)).toHaveLength(1);
    expect(e.slack.callsTo("chat.postMessage")).toHaveLength(1);
  });

  it("Stop over an interactive envelope: the asker's click stops the Dify task and marks the reply stopped; another user's click does not", async () => {
    e = await SlackE2E.start({ transport: "socket" });
    const gate = createGate();
    e.dify.onChat(() => [steps.message("Half an answer"), steps.waitFor(gate), ...scripts.answer(" and the rest")]);
    const q = await e.mention({ text: "Long one" });
    const live = await eventually(() => (e.botReplies(q).some((m) => m.markdown === "Half an answer") ? e.stopControl(q) : undefined));

    await e.click(live, "Stop", BO);
    await eventually(() => e.slack.messages.ephemerals.length === 1);
    expect(e.slack.messages.ephemerals[0]).toMatchObject({ user: BO.id, markdown: "Only Ana can stop this answer." });
    await e.click(live, "Stop", ANA);
    const [reply, ...more] = await e.waitForAnswer(q, "Half an answer\n\n⏹ Stopped");
    expect(more).toHaveLength(0);
    // Edits stop the reply itself; a native stream is stopped and its placeholder (the Stop button) removed.
    if (isNativeStream(reply ?? live)) expect(e.slack.messages.get(q.channel, live.ts)?.isDeleted).toBe(true);
    else expect(reply?.ts).toBe(live.ts);
    expect(e.botReplies(q).some(hasStopButton)).toBe(false);
    expect(e.slack.socket.delivered.filter((d) => d.type === "interactive")).toHaveLength(2);
    expect(e.dify.stopRequests.length).toBeGreaterThanOrEqual(1);
    expect(e.dify.stopRequests.every((s) => s.taskId === e.dify.streams[0]?.taskId && s.user === q.conversationKey)).toBe(true);
    expect(await e.dify.streams[0]?.done).toBe("stopped");
    gate.open();
  });

  it('👍 over the socket becomes Dify feedback "like", and reaction_removed revokes it', async () => {
    e = await SlackE2E.start({ transport: "socket" });
    e.dify.onChat(() => scripts.answer("Socket answer to rate."));
    const q = await e.mention({ text: "Rate me" });
    const [reply] = await e.waitForAnswer(q, "Socket answer to rate.");
    if (!reply) throw new Error("no reply");
    await e.react(true, BO, reply, "+1::skin-tone-4");
    await eventually(() => e.dify.feedbackRequests.length === 1);
    await e.react(false, BO, reply, "+1::skin-tone-4");
    await eventually(() => e.dify.feedbackRequests.length === 2);
    await settle();
    expect(e.dify.feedbackRequests.map((f) => f.rating)).toEqual(["like", null]);
    expect(e.dify.feedbackRequests.every((f) => f.messageId === e.dify.streams[0]?.messageId && f.user === q.conversationKey && f.status === 200)).toBe(true);
  });
});
