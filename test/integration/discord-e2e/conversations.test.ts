import { describe, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { buttonsOf, contentOf, dmKey, finalBotMessages, isFinal, messageWrites, settle, startDiscordE2E, threadKey } from "./support.js";

/** Real discord.js ↔ fake Discord, real core (Redis, BullMQ), fake Dify: what people see in Discord. */
describe.concurrent("discord end to end: conversations", () => {
  it("a mention in a text channel opens a thread on that message, named after the question, and streams the exact answer into it", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    const answer =
      "Create a new key under Settings → API keys, roll it out to every service, then revoke the old key. " +
      "A revoked key cannot be restored, so check the services first.";
    // About three seconds of streaming: long enough for several paced edits (at most one per second).
    dify.onChat(() => scripts.answer(answer, { chunkChars: 5, delayMs: 90 }));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> How do I **rotate** the API key?\nWe use it in CI.` });

    const [reply] = await eventually(() => finalBotMessages(fake, q.id), 20_000);

    // The thread was started from the question: same id, public thread under #general, a readable name.
    expect(fake.requestsTo("POST", /\/threads$/).map((r) => [r.path, r.json])).toEqual([
      [`/channels/${fake.ids.general}/messages/${q.id}/threads`, { name: "How do I rotate the API key?" }],
    ]);
    expect(fake.world.channels.get(q.id)).toMatchObject({
      type: 11,
      parent_id: fake.ids.general,
      guild_id: fake.ids.guild,
      name: "How do I rotate the API key?",
    });
    expect(fake.botMessages(fake.ids.general)).toHaveLength(0);
    expect(fake.botMessages(q.id)).toHaveLength(1);

    // Dify was asked once, with the question (mention removed), the thread's user, streaming, a new conversation.
    expect(dify.chatRequests).toHaveLength(1);
    expect(dify.chatRequests[0]?.chat).toMatchObject({
      query: "How do I **rotate** the API key?\nWe use it in CI.",
      user: threadKey(fake, fake.ids.general, q.id),
      response_mode: "streaming",
      conversation_id: "",
      inputs: {},
    });

    // First the placeholder with a Stop button, then edits of growing text, then the exact answer without buttons.
    const [placeholder] = messageWrites(fake, q.id);
    expect(placeholder?.method).toBe("POST");
    expect(contentOf(placeholder!)).toBe("_Thinking…_");
    expect(buttonsOf(placeholder!.json as { components: unknown[] }).map((b) => b.label)).toEqual(["Stop"]);
    const edits = reply!.edits;
    expect(edits.length).toBeGreaterThanOrEqual(3);
    const texts = edits.map((e) => e.content);
    for (const text of texts) expect(answer.startsWith(text), `edit ${JSON.stringify(text)} is a prefix of the answer`).toBe(true);
    for (let i = 1; i < texts.length; i++) expect(texts[i]!.length).toBeGreaterThanOrEqual(texts[i - 1]!.length);
    expect(new Set(texts).size).toBeGreaterThanOrEqual(3);
    for (const e of edits.slice(0, -1)) expect(buttonsOf(e).map((b) => b.label)).toEqual(["Stop"]);
    expect(texts.at(-1)).toBe(answer);
    expect(reply!.content).toBe(answer);
    expect(reply!.components).toEqual([]);
    expect(fake.rateLimitedCount).toBe(0);
  });

  it("a mention of the bot's managed role works like a mention of the bot", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    dify.onChat((turn) => scripts.answer(`On track: ${turn.query}`));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, authorId: fake.ids.bob, content: `<@&${fake.ids.botRole}> status of the release?` });

    const [reply] = await eventually(() => finalBotMessages(fake, q.id), 15_000);
    expect(reply!.content).toBe("On track: status of the release?");
    expect(fake.world.channels.get(q.id)).toMatchObject({ type: 11, parent_id: fake.ids.general, name: "status of the release?" });
    expect(dify.chatRequests.map((r) => [r.chat.query, r.chat.user])).toEqual([["status of the release?", threadKey(fake, fake.ids.general, q.id)]]);
  });

  it("a follow-up in the thread without a mention, from anyone in it, continues the same Dify conversation with the same user", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> Where is the deploy runbook?` });
    await eventually(() => finalBotMessages(fake, q.id), 15_000);

    fake.users.sendMessage({ channelId: q.id, authorId: fake.ids.bob, content: "and who approves a deploy?" });
    const replies = await eventually(() => finalBotMessages(fake, q.id, 2), 20_000);

    expect(replies.map((m) => m.content)).toEqual(["A: Where is the deploy runbook?", "A: and who approves a deploy?"]);
    const [first, second] = dify.chatRequests;
    expect(second?.chat.query).toBe("and who approves a deploy?");
    expect(second?.chat.conversation_id).toBe(dify.streams[0]?.conversationId);
    expect(second?.chat.user).toBe(first?.chat.user);
    expect(second?.chat.user).toBe(threadKey(fake, fake.ids.general, q.id));
    expect(dify.streams[1]?.conversationId).toBe(dify.streams[0]?.conversationId);
    // Still one thread, created once.
    expect(fake.requestsTo("POST", /\/threads$/)).toHaveLength(1);
  });

  it("ignores other bots and the bot itself, in channels and in its own threads: no Dify call, nothing posted", async ({ expect, onTestFinished }) => {
    const { fake, dify, adapterLogs } = await startDiscordE2E({ onTestFinished });
    dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> first question` });
    await eventually(() => finalBotMessages(fake, q.id), 15_000);

    const fromBots = [
      fake.users.sendMessage({ channelId: fake.ids.general, authorId: fake.ids.otherBot, content: `<@${fake.ids.bot}> are you there?` }),
      fake.users.sendMessage({ channelId: q.id, authorId: fake.ids.otherBot, content: "a bot joining the thread" }),
      fake.users.sendMessage({ channelId: q.id, authorId: fake.ids.otherBot, content: `<@${fake.ids.bot}> a bot asking in the thread` }),
      fake.users.sendMessage({ channelId: fake.ids.general, authorId: fake.ids.bot, content: `<@${fake.ids.bot}> talking to myself` }),
    ];
    // A person asks after them; the adapter hands events over in arrival order, so once this one is answered,
    // the bots' messages before it have been dealt with.
    const marker = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> second question` });
    await eventually(() => finalBotMessages(fake, marker.id), 15_000);
    await settle();

    expect(dify.chatRequests.map((r) => r.chat.query)).toEqual(["first question", "second question"]);
    for (const m of fromBots) expect(fake.world.channels.has(m.id), `no thread for ${m.content}`).toBe(false);
    expect(fake.botMessages(q.id)).toHaveLength(1);
    expect(fake.botMessages(fake.ids.general)).toHaveLength(1); // only the bot's own message above, posted by the test
    const reasons = new Map(adapterLogs.filter((l) => l.msg === "discord message ignored").map((l) => [l.obj.messageId, l.obj.reason]));
    expect(fromBots.map((m) => reasons.get(m.id))).toEqual(["bot_author", "bot_author", "bot_author", "own_message"]);
  });

  it("a DM is one conversation across turns until !new, after which the next turn starts a new Dify conversation", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const dm = fake.users.dmChannel(fake.ids.alice);
    const ask = async (content: string, replies: number) => {
      fake.users.sendDirectMessage({ authorId: fake.ids.alice, content });
      return eventually(() => finalBotMessages(fake, dm, replies), 25_000);
    };

    await ask("What is our on-call rota?", 1);
    await ask("And who is on call this week?", 2);
    await ask("!new", 3);
    const replies = await ask("What is our on-call rota?", 4);

    expect(replies.map((m) => m.content)).toEqual([
      "A: What is our on-call rota?",
      "A: And who is on call this week?",
      "🆕 Started a new conversation. Ask away!",
      "A: What is our on-call rota?",
    ]);
    expect(replies.every((m) => isFinal(m) && m.components.length === 0)).toBe(true);
    // Answered right in the DM channel: no thread, no reply reference.
    expect(fake.requestsTo("POST", /\/threads$/)).toHaveLength(0);

    // !new is handled by the bridge: only three questions reached Dify.
    const requests = dify.chatRequests.map((r) => r.chat);
    expect(requests.map((c) => c.query)).toEqual(["What is our on-call rota?", "And who is on call this week?", "What is our on-call rota?"]);
    expect(requests.every((c) => c.user === dmKey(dm))).toBe(true);
    const [c1, c2, c3] = dify.streams.map((s) => s.conversationId);
    expect(requests[0]?.conversation_id).toBe("");
    expect(requests[1]?.conversation_id).toBe(c1);
    expect(c2).toBe(c1);
    expect(requests[2]?.conversation_id).toBe("");
    expect(c3).not.toBe(c1);
  });
});
