import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DiscordPlatform } from "../../../adapters/discord/discord-platform.js";
import type { InboundEvent } from "../../../src/contracts/chat-platform.js";
import type { InboundMessage } from "../../../src/contracts/messages.js";
import { FakeDiscord } from "../../fakes/discord/index.js";
import { createCapturingLogger, createCapturingSink, platformFor } from "./helpers.js";

/** Real discord.js against the fake gateway: what reaches the core for each kind of message. */
describe("discord inbound messages", () => {
  let fake: FakeDiscord;
  let platform: DiscordPlatform;
  let capture: ReturnType<typeof createCapturingSink>;

  async function startWith(extra: Record<string, string> = {}): Promise<void> {
    platform = platformFor(fake, createCapturingLogger(), extra);
    capture = createCapturingSink();
    await platform.start(capture.sink);
  }

  /** The next forwarded message; messages the adapter drops never show up here. */
  async function nextMessage(): Promise<InboundMessage> {
    const [event] = await capture.next();
    if (event?.kind !== "message") throw new Error(`expected a message event, got ${event?.kind}`);
    return event.message;
  }

  /** Sends a forwarded marker message after `act`, proving everything `act` dispatched before it was dropped. */
  async function expectDropped(act: () => void): Promise<void> {
    act();
    const marker = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> marker` });
    expect((await nextMessage()).messageId).toBe(marker.id);
  }

  beforeEach(async () => {
    fake = await FakeDiscord.start({ heartbeatIntervalMs: 250 });
  });

  afterEach(async () => {
    await platform?.stop();
    await fake.close();
  });

  it("turns a channel mention into a message with the start-thread hint", async () => {
    await startWith();
    const sent = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> How do I rotate the key?` });
    const m = await nextMessage();
    expect(m).toMatchObject({
      messageId: sent.id,
      dedupeKey: `discord-msg-${sent.id}`,
      conversationKey: `discord:${fake.ids.guild}:${fake.ids.general}:${sent.id}`,
      text: "How do I rotate the key?",
      mentionsBot: true,
      isDirectMessage: false,
      inExistingThread: false,
      author: { userId: fake.ids.alice, displayName: "Alice" },
    });
    expect(m.replyTarget).toEqual({
      platform: "discord",
      workspaceId: fake.ids.guild,
      channelId: sent.id,
      hints: { startThreadInChannel: fake.ids.general, startThreadFromMessage: sent.id, threadName: "How do I rotate the key?" },
    });
  });

  it("recognises a mention of the bot's managed role", async () => {
    await startWith();
    fake.users.sendMessage({ channelId: fake.ids.general, authorId: fake.ids.bob, content: `<@&${fake.ids.botRole}> status?` });
    const m = await nextMessage();
    expect([m.mentionsBot, m.text, m.author.displayName]).toEqual([true, "status?", "Bob"]);
  });

  it("forwards replies in the bot's thread without a mention, and flags other users' threads as existing", async () => {
    await startWith();
    const question = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> hi` });
    const first = await nextMessage();
    await platform.postMessage(first.replyTarget, { markdown: "Hello!" });
    fake.users.sendMessage({ channelId: question.id, content: "and then?" });
    const reply = await nextMessage();
    expect(reply).toMatchObject({
      conversationKey: first.conversationKey,
      replyTarget: { platform: "discord", workspaceId: fake.ids.guild, channelId: question.id },
      mentionsBot: false,
      inExistingThread: false,
      text: "and then?",
    });

    fake.users.sendMessage({ channelId: fake.ids.existingThread, authorId: fake.ids.bob, content: `<@${fake.ids.bot}> summarise for <@${fake.ids.alice}>` });
    const inExisting = await nextMessage();
    expect(inExisting).toMatchObject({
      conversationKey: `discord:${fake.ids.guild}:${fake.ids.general}:${fake.ids.existingThread}`,
      inExistingThread: true,
      mentionsBot: true,
      mentionsOthers: true,
      text: "summarise for @Alice",
    });
  });

  it("handles a direct message, including from a DM channel the client never saw", async () => {
    await startWith();
    const dm = fake.users.sendDirectMessage({ authorId: fake.ids.bob, content: "hello in private" });
    const m = await nextMessage();
    expect(m).toMatchObject({
      isDirectMessage: true,
      conversationKey: `discord:@dm:${dm.channel_id}:${dm.channel_id}`,
      replyTarget: { platform: "discord", workspaceId: "@dm", channelId: dm.channel_id },
      text: "hello in private",
    });
  });

  it("flags a voice message for transcription and keeps its CDN reference", async () => {
    await startWith();
    const audio = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 1, 2, 3]);
    const sent = fake.users.sendVoiceMessage({ channelId: fake.users.dmChannel(fake.ids.alice), audio });
    const m = await nextMessage();
    expect(m.attachments).toEqual([
      {
        id: sent.attachments[0]!.id,
        name: "voice-message.ogg",
        mimeType: "audio/ogg",
        sizeBytes: audio.byteLength,
        isVoiceNote: true,
        ref: sent.attachments[0]!.url,
      },
    ]);
    expect(m.text).toBe("");
  });

  it("passes image attachments as ordinary files", async () => {
    await startWith();
    const png = new Uint8Array(64).fill(7);
    fake.users.sendMessage({
      channelId: fake.ids.general,
      content: `<@${fake.ids.bot}> what is this?`,
      attachments: [{ filename: "diagram.png", contentType: "image/png", data: png }],
    });
    const m = await nextMessage();
    expect(m.attachments).toEqual([expect.objectContaining({ name: "diagram.png", mimeType: "image/png", sizeBytes: 64, isVoiceNote: false })]);
    expect(m.replyTarget.hints?.threadName).toBe("what is this?");
  });

  it("ignores other bots, webhooks, the bot's own messages, system messages and @everyone", async () => {
    await startWith();
    await expectDropped(() => {
      fake.users.sendMessage({ channelId: fake.ids.general, authorId: fake.ids.otherBot, content: `<@${fake.ids.bot}> loop?` });
      fake.users.sendMessage({ channelId: fake.ids.general, authorId: fake.ids.bot, content: `<@${fake.ids.bot}> myself` });
      fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> via hook`, webhookId: "1999999999999999999" });
      fake.users.sendMessage({ channelId: fake.ids.general, content: "", type: 7 });
      fake.users.sendMessage({ channelId: fake.ids.general, content: "@everyone standup" });
      fake.users.sendMessage({ channelId: fake.ids.general, content: "just chatting" });
    });
  });

  it("does not answer edits of a message", async () => {
    await startWith();
    const sent = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> first version` });
    expect((await nextMessage()).messageId).toBe(sent.id);
    await expectDropped(() => {
      fake.users.editMessage(fake.ids.general, sent.id, `<@${fake.ids.bot}> second version`);
    });
  });

  it("ignores what its own posts produce on the gateway (Discord echoes them back)", async () => {
    await startWith();
    const question = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> q` });
    const m = await nextMessage();
    await expectDropped(() => undefined);
    const ref = await platform.postMessage(m.replyTarget, { markdown: `I was asked by <@${fake.ids.alice}>` });
    await platform.editMessage(ref, { markdown: "edited" });
    await expectDropped(() => undefined);
    expect(fake.botMessages(question.id)).toHaveLength(1);
  });

  it("applies the guild and channel allow-lists, threads inheriting their parent", async () => {
    await startWith({ DISCORD_ALLOWED_GUILDS: fake.ids.guild, DISCORD_ALLOWED_CHANNELS: fake.ids.general });
    await expectDropped(() => {
      fake.users.sendMessage({ channelId: fake.ids.otherGuildChannel, content: `<@${fake.ids.bot}> elsewhere` });
      fake.users.sendMessage({ channelId: fake.ids.random, content: `<@${fake.ids.bot}> wrong channel` });
    });
    fake.users.sendMessage({ channelId: fake.ids.existingThread, content: "in a thread of #general" });
    expect((await nextMessage()).text).toBe("in a thread of #general");
  });

  it("keeps arrival order when handing events to the core", async () => {
    await startWith();
    const sent = [1, 2, 3, 4, 5].map((i) => fake.users.sendMessage({ channelId: fake.ids.existingThread, content: `message ${i}` }));
    const events: InboundEvent[] = await capture.next(5);
    expect(events.map((e) => (e.kind === "message" ? e.message.messageId : e.kind))).toEqual(sent.map((s) => s.id));
  });
});
