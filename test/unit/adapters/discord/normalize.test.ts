import { describe, expect, it } from "vitest";
import { decodeConversationKey } from "../../../../adapters/discord/ids.js";
import { type NormalizeContext, normalizeMessage, threadName } from "../../../../adapters/discord/normalize.js";
import { reasonOf, value } from "../normalized.js";
import { BOT, GENERAL, GUILD, snapshot } from "./fixtures.js";

const ctx: NormalizeContext = { botUserId: BOT, allowedGuilds: [], allowedChannels: [], allowDirectMessages: true };

const message = (name: string, patch = {}, context = ctx) => value(normalizeMessage(snapshot(name, patch), context));
const ignoredReason = (name: string, patch = {}, context = ctx) => reasonOf(normalizeMessage(snapshot(name, patch), context));

describe("normalizeMessage", () => {
  it("turns a channel mention into a conversation in a thread started from the message", () => {
    const m = message("channelMention");
    expect(m).toMatchObject({
      platform: "discord",
      messageId: "1310000000000000100",
      dedupeKey: "discord-msg-1310000000000000100",
      conversationKey: `discord:${GUILD}:${GENERAL}:1310000000000000100`,
      text: "How do I rotate the API key?",
      mentionsBot: true,
      mentionsOthers: false,
      isDirectMessage: false,
      inExistingThread: false,
      author: { userId: "1500000000000000001", displayName: "Alice" },
      receivedAt: "2025-03-01T10:00:00.000Z",
    });
    expect(m.replyTarget).toEqual({
      platform: "discord",
      workspaceId: GUILD,
      channelId: "1310000000000000100",
      hints: { startThreadInChannel: GENERAL, startThreadFromMessage: "1310000000000000100", threadName: "How do I rotate the API key?" },
    });
    expect(m.dedupeKey).not.toContain(":");
    expect(decodeConversationKey(m.conversationKey)).toEqual({ workspaceId: GUILD, channelId: GENERAL, threadId: m.messageId });
  });

  it("counts a mention of the bot's managed role as a mention; other roles become @names", () => {
    const m = message("roleMention");
    expect(m.mentionsBot).toBe(true);
    expect(m.mentionsOthers).toBe(true);
    expect(m.text).toBe("what's new in 2.0? cc @Support");
  });

  it("forwards a thread reply without a mention, addressed to the thread", () => {
    const m = message("botThreadReply");
    expect(m.conversationKey).toBe(`discord:${GUILD}:${GENERAL}:1310000000000000100`);
    expect(m.replyTarget).toEqual({ platform: "discord", workspaceId: GUILD, channelId: "1310000000000000100" });
    expect(m.mentionsBot).toBe(false);
    expect(m.inExistingThread).toBe(false);
  });

  it("flags a thread the bot did not create as existing, and turns other users' mentions into @names", () => {
    const m = message("userThreadMention");
    expect(m.inExistingThread).toBe(true);
    expect(m.mentionsBot).toBe(true);
    expect(m.mentionsOthers).toBe(true);
    expect(m.text).toBe("can you summarise this for @Bob?");
    expect(m.conversationKey).toBe(`discord:${GUILD}:${GENERAL}:1600000000000000001`);
  });

  it("treats a DM channel as its own thread", () => {
    const m = message("directMessage");
    expect(m.isDirectMessage).toBe(true);
    expect(m.conversationKey).toBe("discord:@dm:1700000000000000001:1700000000000000001");
    expect(m.replyTarget).toEqual({ platform: "discord", workspaceId: "@dm", channelId: "1700000000000000001" });
  });

  it("flags a voice message's audio as a voice note in audio/ogg, other audio as an ordinary file", () => {
    const voice = message("voiceMessage");
    expect(voice.attachments).toEqual([
      expect.objectContaining({ id: "1800000000000000001", name: "voice-message.ogg", mimeType: "audio/ogg", sizeBytes: 15234, isVoiceNote: true }),
    ]);
    expect(voice.attachments[0]?.ref).toMatch(/^https:\/\/cdn\.discordapp\.com\/attachments\//);
    const files = message("imageInThread").attachments;
    expect(files.map((a) => [a.name, a.mimeType, a.isVoiceNote])).toEqual([
      ["diagram.png", "image/png", false],
      ["talk.mp3", "audio/mpeg", false],
    ]);
  });

  it("ignores the bot itself, other bots, webhooks and system messages", () => {
    expect(ignoredReason("botThreadReply", { author: { id: BOT, username: "DifyBot", displayName: "DifyBot", isBot: true, isSystem: false } })).toBe(
      "own_message",
    );
    expect(ignoredReason("channelMention", { author: { id: "9", username: "b", displayName: "b", isBot: true, isSystem: false } })).toBe("bot_author");
    expect(ignoredReason("channelMention", { webhookId: "77" })).toBe("bot_author");
    expect(ignoredReason("channelMention", { type: 7 })).toBe("system_message");
    expect(ignoredReason("botThreadReply", { type: 21 })).toBe("system_message");
  });

  it("does not treat @everyone or @here as a mention of the bot", () => {
    expect(ignoredReason("everyoneAnnouncement")).toBe("not_addressed");
    expect(ignoredReason("everyoneAnnouncement", { content: "@here anyone?" })).toBe("not_addressed");
  });

  it("counts a reply that pings the bot as a mention, and one that pings someone else as mentioning others", () => {
    expect(message("botThreadReply", { repliedUserId: BOT }).mentionsBot).toBe(true);
    const m = message("botThreadReply", { repliedUserId: "1500000000000000002" });
    expect([m.mentionsBot, m.mentionsOthers]).toEqual([false, true]);
  });

  it("applies the guild and channel allow-lists; a thread inherits its parent channel", () => {
    const onlyOther = { ...ctx, allowedGuilds: ["1200000000000000002"] };
    expect(ignoredReason("channelMention", {}, onlyOther)).toBe("guild_not_allowed");
    const onlyRandom = { ...ctx, allowedChannels: ["1300000000000000002"] };
    expect(ignoredReason("channelMention", {}, onlyRandom)).toBe("channel_not_allowed");
    expect(ignoredReason("botThreadReply", {}, onlyRandom)).toBe("channel_not_allowed");
    const onlyGeneral = { ...ctx, allowedGuilds: [GUILD], allowedChannels: [GENERAL] };
    expect(ignoredReason("botThreadReply", {}, onlyGeneral)).toBe("kept");
    expect(ignoredReason("directMessage", {}, { ...ctx, allowDirectMessages: false })).toBe("dm_not_allowed");
  });

  it("ignores empty unaddressed messages (no Message Content intent) but keeps a bare mention", () => {
    expect(ignoredReason("botThreadReply", { content: "" })).toBe("unreadable");
    const bare = message("channelMention", { content: "<@1100000000000000001>" });
    expect(bare.text).toBe("");
    expect(bare.replyTarget.hints?.threadName).toBe("Conversation with Alice");
  });

  it("answers mentions in voice-channel chats as replies, since threads are impossible there", () => {
    const m = message("channelMention", { channel: { id: "1300000000000000004", type: 2, guildId: GUILD, parentId: null, threadOwnerId: null } });
    expect(m.replyTarget).toEqual({ platform: "discord", workspaceId: GUILD, channelId: "1300000000000000004", hints: { replyToMessage: m.messageId } });
  });
});

describe("threadName", () => {
  it("uses the first line, without Markdown marks, within 100 characters at a word boundary", () => {
    expect(threadName("**Deploy** `v2` please\nsecond line", [], "Alice")).toBe("Deploy v2 please");
    const long = threadName(`${"word ".repeat(40)}end`, [], "Alice");
    expect([...long].length).toBeLessThanOrEqual(100);
    expect(long.endsWith("…")).toBe(true);
    expect(long).not.toMatch(/wor…$/);
  });

  it("falls back to the attachment or the author", () => {
    const voice = { id: "1", name: "voice-message.ogg", mimeType: "audio/ogg", sizeBytes: 1, isVoiceNote: true, ref: "x" };
    expect(threadName("", [voice], "Alice")).toBe("Voice message from Alice");
    expect(threadName("", [{ ...voice, isVoiceNote: false, name: "report.pdf" }], "Alice")).toBe("report.pdf");
    expect(threadName("   ", [], "Alice")).toBe("Conversation with Alice");
  });
});
