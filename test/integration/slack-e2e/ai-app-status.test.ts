import { afterEach, describe, expect, it } from "vitest";
import { scripts, steps } from "../../fakes/dify/index.js";
import { ANA, BO, eventually, isNativeStream, SlackE2E } from "./slack-e2e-harness.js";

const ANSWER = "Tokyo has 14 million people.\n\nOsaka has about 2.7 million, and a famous castle.";

describe("Slack AI app (agent messaging): the thread's status line instead of a placeholder", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("a channel mention shows the native status, then streams one message: never two bot messages in the thread, status cleared, session idle", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "native" } });
    e.dify.onChat(() => [steps.delay(300), ...scripts.answer(ANSWER, { chunkChars: 12, delayMs: 40 })]);

    const q = await e.mention({ text: "How big are Tokyo and Osaka?" });
    const [reply, ...others] = await e.waitForAnswer(q, ANSWER);
    expect(others).toHaveLength(0);
    if (!reply) throw new Error("no reply");

    // One message ever, streamed natively; nothing posted before it and nothing deleted.
    expect(e.botMessagesEver(q)).toHaveLength(1);
    expect(isNativeStream(reply)).toBe(true);
    expect(e.slack.callsTo("chat.postMessage")).toHaveLength(0);
    expect(e.slack.callsTo("chat.delete")).toHaveLength(0);
    // The stop gave the finished stream the turn's key (chat.startStream takes none): a later run finds it by it.
    expect(reply.metadata).toMatchObject({ event_type: "dify_bridge_reply", event_payload: { part: 0 } });
    expect(reply.metadata?.event_payload.turn_id).toEqual(expect.any(String));
    // Sampled on every change the fake recorded: never more than one bot message in the thread.
    const samples = e.slack.messages.threadSamples(q.channel, q.threadTs);
    expect(samples.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...samples.map((s) => s.visibleBotMessages))).toBe(1);

    // While Dify worked the thread showed Slack's own status line; the reply cleared it.
    const status = e.slack.assistant.statusHistory(q.channel, q.threadTs);
    expect(status[0]).toMatchObject({ status: "Thinking…", via: "assistant.threads.setStatus" });
    const firstStatusAt = status[0]?.atMs ?? Number.POSITIVE_INFINITY;
    expect(firstStatusAt).toBeLessThanOrEqual(reply.revisions[0]?.atMs ?? 0);
    expect(e.slack.assistant.statusOf(q.channel, q.threadTs)).toBe("");
    expect(e.slack.callsTo("assistant.threads.setStatus")[0]?.args).toMatchObject({ channel_id: q.channel, thread_ts: q.threadTs });

    // The agent session: created working (Slack's Stop for the asker), titled with the question, idle after.
    const session = await eventually(() =>
      e.slack.assistant.session(q.channel, q.threadTs)?.status === "active" ? e.slack.assistant.session(q.channel, q.threadTs) : undefined,
    );
    expect(session).toMatchObject({ title: "How big are Tokyo and Osaka?", initiatorUserId: ANA.id, status: "active" });
    expect(session?.statuses).toEqual(["processing", "active"]);
  });

  it("a second question in the thread keeps the session's first title and still shows one new message only", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "native" } });
    e.dify.onChat((req) => scripts.answer(req.query.includes("Osaka") ? "Second answer." : "First answer.", { chunkChars: 4, delayMs: 20 }));
    const q = await e.mention({ text: "Tell me about Tokyo" });
    await e.waitForAnswer(q, "First answer.");
    await e.threadReply(q, { text: "And Osaka?" });
    await e.waitForAnswer(q, "First answer.\n\nSecond answer.");
    expect(e.botMessagesEver(q)).toHaveLength(2);
    const samples = e.slack.messages.threadSamples(q.channel, q.threadTs);
    expect(Math.max(...samples.map((s) => s.visibleBotMessages))).toBe(2);
    expect(e.slack.assistant.session(q.channel, q.threadTs)?.title).toBe("Tell me about Tokyo");
    await eventually(() => (e.slack.assistant.session(q.channel, q.threadTs)?.statuses.length === 4 ? true : undefined));
    expect(e.slack.assistant.session(q.channel, q.threadTs)?.statuses).toEqual(["processing", "active", "processing", "active"]);
  });

  it("a status line Slack refuses falls back to the posted placeholder, and the answer still arrives", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "native" } });
    e.slack.failNext("assistant.threads.setStatus", { kind: "error", error: "missing_scope" });
    e.dify.onChat(() => scripts.answer(ANSWER, { chunkChars: 20, delayMs: 20 }));
    const q = await e.mention({ text: "How big are Tokyo and Osaka?" });
    await e.waitForAnswer(q, ANSWER);
    expect(e.slack.callsTo("chat.postMessage")[0]?.args).toMatchObject({ channel: q.channel, thread_ts: q.threadTs });
    expect(e.botReplies(q)).toHaveLength(1);
  });

  it("the edit path (SLACK_STREAMING=edit) keeps its placeholder with the Stop button and sets no status line", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "edit" } });
    e.dify.onChat(() => scripts.answer(ANSWER, { chunkChars: 12, delayMs: 30 }));
    const q = await e.mention({ text: "How big are Tokyo and Osaka?" });
    const [reply] = await e.waitForAnswer(q, ANSWER);
    expect(reply?.revisions[0]?.markdown).toBe("_Thinking…_");
    expect(JSON.stringify(reply?.revisions[0]?.blocks)).toContain('"Stop"');
    expect(e.slack.callsTo("assistant.threads.setStatus")).toHaveLength(0);
    expect(e.slack.callsTo("chat.startStream")).toHaveLength(0);
  });
});

describe("Slack AI app: Slack's own Stop (agent sessions)", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  const start = async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "native" } });
    e.dify.onChat(() => scripts.hang("The answer starts here and goes on", { chunkChars: 6, delayMs: 20 }));
    const q = await e.mention({ text: "Write me a very long essay" });
    // Streaming, and Slack shows its Stop button while the session is processing.
    await eventually(() => (e.botReplies(q)[0]?.markdown.length ?? 0) > 10 && e.slack.assistant.session(q.channel, q.threadTs)?.status === "processing");
    return q;
  };

  it("the asker's click stops Dify with the thread's user; the answer ends in its one message, marked stopped", async () => {
    const q = await start();
    await e.send(e.slack.stopAgentSession({ user: ANA.id, channel: q.channel, threadTs: q.threadTs }));
    const [reply] = await e.waitForAnswer(q, /⏹ Stopped/);
    expect(e.botMessagesEver(q)).toHaveLength(1);
    expect(reply?.markdown).toMatch(/^The answer starts here/);
    const stop = await eventually(() => e.dify.stopRequests[0]);
    expect(stop).toMatchObject({ user: q.conversationKey, stoppedStream: true });
    await eventually(() => (e.slack.assistant.session(q.channel, q.threadTs)?.status === "active" ? true : undefined));
  });

  it("anyone else's click does not stop the answer: they get the usual private notice", async () => {
    const q = await start();
    await e.send(e.slack.stopAgentSession({ user: BO.id, channel: q.channel, threadTs: q.threadTs }));
    const notice = await eventually(() => e.slack.messages.ephemerals.find((n) => n.user === BO.id));
    expect(notice.markdown).toContain("Only Ana can stop this answer.");
    expect(e.dify.stopRequests).toHaveLength(0);
    expect(e.dify.streams[0]?.endReason).toBeUndefined();
  });
});
