import { describe, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { FAKE_IDS } from "../../fakes/discord/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { finalBotMessages, settle, startDiscordE2E, threadKey } from "./support.js";

/**
 * Real discord.js ↔ fake Discord forum channels (type 15): a post is a thread whose opening message has the
 * thread's id. The post is one conversation, answered inside it.
 */
describe.concurrent("discord end to end: forum posts", () => {
  it("a post whose opening message mentions the bot is answered in the post; follow-ups continue the same Dify conversation", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    dify.onChat((turn) => scripts.answer(`About: ${turn.query}`, { chunkChars: 8, delayMs: 20 }));
    const { thread, starter } = fake.users.createForumPost({
      forumId: fake.ids.forum,
      title: "Login loop",
      content: `<@${fake.ids.bot}> The login page keeps reloading after I sign in.`,
    });
    expect(starter.id).toBe(thread.id);

    const [answer] = await eventually(() => finalBotMessages(fake, thread.id), 20_000);
    expect(answer?.content).toBe("About: The login page keeps reloading after I sign in.");
    expect(dify.chatRequests[0]?.chat).toMatchObject({
      query: "The login page keeps reloading after I sign in.",
      user: threadKey(fake, fake.ids.forum, thread.id),
      conversation_id: "",
    });
    // The post already is the thread: nothing is started, nothing posted in the forum, no history read before
    // the opening message (nothing can precede it).
    expect(fake.requestsTo("POST", /\/threads$/)).toEqual([]);
    expect(fake.requestsTo("POST", new RegExp(`^/channels/${fake.ids.forum}/`))).toEqual([]);
    expect(fake.requestsTo("GET", new RegExp(`^/channels/${thread.id}/messages$`))).toEqual([]);

    // A follow-up in the post, no mention: the same conversation.
    fake.users.sendMessage({ channelId: thread.id, authorId: fake.ids.bob, content: "Same for me on Firefox." });
    const both = await eventually(() => finalBotMessages(fake, thread.id, 2), 20_000);
    expect(both[1]?.content).toBe("About: Same for me on Firefox.");
    expect(dify.chatRequests[1]?.chat).toMatchObject({
      query: "Same for me on Firefox.",
      user: threadKey(fake, fake.ids.forum, thread.id),
      conversation_id: dify.streams[0]?.conversationId,
    });
    expect(dify.streams[0]?.conversationId).toBeTruthy();
  });

  it("a post without a mention in a forum that is not on the allow-list is left alone", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    dify.onChat(() => scripts.answer("should not happen"));
    const { thread } = fake.users.createForumPost({ forumId: fake.ids.forum, title: "Idea", content: "Dark mode for the dashboard?" });
    fake.users.sendMessage({ channelId: thread.id, authorId: fake.ids.bob, content: "+1" });
    await settle(1_500);
    expect(fake.botMessages(thread.id)).toEqual([]);
    expect(dify.chatRequests).toEqual([]);
  });

  it("in a forum listed in DISCORD_ALLOWED_CHANNELS every post is answered, mention or not, and continues as one conversation", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { discordEnv: { DISCORD_ALLOWED_CHANNELS: `${FAKE_IDS.forum},${FAKE_IDS.general}` } });
    dify.onChat((turn) => scripts.answer(`Re: ${turn.query}`, { chunkChars: 8, delayMs: 20 }));
    const { thread } = fake.users.createForumPost({
      forumId: fake.ids.forum,
      title: "Export to CSV",
      content: "How do I export the report to CSV?",
      attachments: [{ filename: "report.txt", contentType: "text/plain", data: Buffer.from("rows") }],
    });
    const [answer] = await eventually(() => finalBotMessages(fake, thread.id), 20_000);
    expect(answer?.content).toBe("Re: How do I export the report to CSV?");
    expect(dify.uploads.map((u) => u.name)).toEqual(["report.txt"]);

    fake.users.sendMessage({ channelId: thread.id, content: "And to Excel?" });
    const both = await eventually(() => finalBotMessages(fake, thread.id, 2), 20_000);
    expect(both[1]?.content).toBe("Re: And to Excel?");
    expect(dify.chatRequests[1]?.chat.conversation_id).toBe(dify.streams[0]?.conversationId);

    // A post that speaks to someone else (mentions them, not the bot) is theirs, as in any thread.
    const other = fake.users.createForumPost({ forumId: fake.ids.forum, title: "Thanks", content: `<@${fake.ids.bob}> thanks for yesterday` });
    await settle(1_500);
    expect(fake.botMessages(other.thread.id)).toEqual([]);
    expect(dify.chatRequests).toHaveLength(2);
  });
});
