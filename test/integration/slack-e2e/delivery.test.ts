import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { slackTs } from "../../fakes/slack/index.js";
import { ANA, BO, SlackE2E, settle } from "./slack-e2e-harness.js";

describe("Slack end to end over HTTP: delivery", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("a mention delivered as app_mention and message at once, plus an X-Slack-Retry-Num redelivery, gives one Dify call and one answer", async () => {
    e = await SlackE2E.start();
    e.dify.onChat(() => scripts.answer("Only once, promised.", { chunkChars: 4, delayMs: 20 }));
    const channel = "C0DUPES";
    const ts = slackTs();
    const text = `<@${e.botUserId}> are you there?`;
    e.slack.messages.add({ channel, ts, user: ANA.id, text, via: "user" });
    const [appMention, message] = e.slack.payloads.mentionPair({ channel, user: ANA.id, ts, text });
    expect(appMention.event_id).not.toBe(message.event_id);

    // Both copies arrive together, then Slack retries the first (same event_id) as if our 200 had been lost.
    await Promise.all([e.send(appMention), e.send(message)]);
    await e.send(appMention, { retryNum: 1, retryReason: "http_timeout" });
    await e.send(message, { retryNum: 2, retryReason: "http_timeout" });

    const q = e.where(channel, ts);
    await e.waitForAnswer(q, "Only once, promised.");
    await settle();
    expect(e.dify.chatRequests).toHaveLength(1);
    expect(e.botReplies(q)).toHaveLength(1);
    expect(e.slack.callsTo("chat.postMessage")).toHaveLength(1);
    expect(e.slack.messages.postedBy(e.botUserId)).toHaveLength(1);
  });

  it("other bots' messages, the bot's own messages and message subtypes never reach Dify", async () => {
    e = await SlackE2E.start();
    e.dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const q = await e.mention({ text: "Start a thread" });
    const [reply] = await e.waitForAnswer(q, "A: Start a thread");
    if (!reply) throw new Error("no reply");
    const p = e.slack.payloads;
    const bot = e.botUserId;
    const otherBot = { user: "U0OTHERBOT", bot_id: "B0OTHER", bot_profile: { id: "B0OTHER", name: "other-bot", app_id: "A0OTHER" } };
    const inThread = { channel: q.channel, thread_ts: q.ts };

    const ignored: Array<Record<string, unknown>> = [
      // Another bot mentions us, in a new thread and in ours (as a bot user, and as a legacy bot_message).
      p.appMention({ channel: q.channel, text: `<@${bot}> hello from a bot`, ...otherBot }),
      p.message({ channel: q.channel, text: `<@${bot}> hello from a bot`, ...otherBot }),
      p.message({ ...inThread, text: "A bot's follow-up", ...otherBot }),
      p.message({ ...inThread, subtype: "bot_message", bot_id: "B0HOOK", username: "webhook", text: `<@${bot}> deploy finished` }),
      // Our own reply, echoed back as a message event (Slack does that for channel history subscriptions).
      p.message({
        ...inThread,
        user: bot,
        bot_id: e.slack.team.botId,
        bot_profile: { id: e.slack.team.botId, name: "fake-bot" },
        text: reply.text,
        ts: reply.ts,
      }),
      // chat.update on our reply produces message_changed (no top-level user); a person editing their question too.
      p.message({
        channel: q.channel,
        subtype: "message_changed",
        hidden: true,
        message: { type: "message", user: bot, bot_id: e.slack.team.botId, text: reply.text, ts: reply.ts, thread_ts: q.ts },
        previous_message: { type: "message", user: bot, bot_id: e.slack.team.botId, text: "_Thinking…_", ts: reply.ts, thread_ts: q.ts },
      }),
      p.message({
        channel: q.channel,
        subtype: "message_changed",
        hidden: true,
        message: { type: "message", user: ANA.id, text: `<@${bot}> Start a thread (edited)`, ts: q.ts, edited: { user: ANA.id, ts: slackTs() } },
        previous_message: { type: "message", user: ANA.id, text: `<@${bot}> Start a thread`, ts: q.ts },
      }),
      p.message({
        ...inThread,
        subtype: "message_deleted",
        hidden: true,
        deleted_ts: q.ts,
        previous_message: { type: "message", user: ANA.id, text: `<@${bot}> Start a thread`, ts: q.ts },
      }),
      // Joins and topic changes, even ones that mention the bot.
      p.message({ channel: q.channel, user: BO.id, subtype: "channel_join", text: `<@${BO.id}> has joined the channel` }),
      p.message({ channel: q.channel, user: bot, subtype: "channel_join", text: `<@${bot}> has joined the channel` }),
      p.message({ channel: q.channel, user: BO.id, subtype: "channel_topic", topic: "bots", text: `<@${BO.id}> set the channel topic: ask <@${bot}>` }),
      p.message({ ...inThread, user: BO.id, subtype: "thread_broadcast_deleted", text: "" }),
      // The legacy notice that a thread got a reply, carrying the parent (which mentions the bot).
      p.message({
        channel: q.channel,
        subtype: "message_replied",
        hidden: true,
        message: { type: "message", user: ANA.id, text: `<@${bot}> Start a thread`, ts: q.ts, thread_ts: q.ts, reply_count: 1 },
      }),
    ];
    // Each is acknowledged (HTTP 200) after the adapter and the core have dealt with it, in order.
    for (const event of ignored) await e.send(p.envelope(event));

    // A person's follow-up after them is answered: every ignored event before it has been handled by now.
    await e.threadReply(q, { user: BO.id, text: "A human follow-up" });
    await e.waitForAnswer(q, "A: Start a thread\n\nA: A human follow-up");
    await settle();
    expect(e.dify.chatRequests.map((r) => r.chat.query)).toEqual(["Start a thread", "A human follow-up"]);
    expect(e.slack.messages.postedBy(bot).map((m) => m.threadTs)).toEqual([q.ts, q.ts]);
    expect(e.problems()).toEqual([]);
  });
});
