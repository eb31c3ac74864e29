import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DiscordPlatform } from "../../../adapters/discord/discord-platform.js";
import type { ButtonAction } from "../../../src/contracts/actions.js";
import type { InboundEvent, InboundSink } from "../../../src/contracts/chat-platform.js";
import type { ReactionEvent } from "../../../src/contracts/reactions.js";
import { FakeDiscord } from "../../fakes/discord/index.js";
import { createCapturingLogger, createCapturingSink, platformFor } from "./helpers.js";

describe("discord reactions and buttons", () => {
  let fake: FakeDiscord;
  let platform: DiscordPlatform;
  let capture: ReturnType<typeof createCapturingSink>;

  beforeEach(async () => {
    fake = await FakeDiscord.start({ heartbeatIntervalMs: 250 });
  });

  afterEach(async () => {
    await platform?.stop();
    await fake.close();
  });

  async function start(sink?: InboundSink): Promise<void> {
    platform = platformFor(fake, createCapturingLogger());
    capture = createCapturingSink();
    await platform.start(sink ?? capture.sink);
  }

  async function nextReaction(): Promise<ReactionEvent> {
    const [event] = await capture.next();
    if (event?.kind !== "reaction") throw new Error(`expected a reaction, got ${event?.kind}`);
    return event.reaction;
  }

  it("maps 👍/👎 with any skin tone on messages the client never cached (as after a restart)", async () => {
    // The bot's answer exists only in the fake's store: this client never saw it on the gateway.
    const answer = fake.world.storeMessage({
      ...fake.world.findMessage(fake.ids.general, fake.ids.existingThreadStarter)!,
      id: "1310000000000000900",
      channel_id: fake.ids.existingThread,
      author: fake.world.user(fake.ids.bot),
      content: "old answer",
    });
    await start();
    const skinTones = ["👍", "👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿"];
    for (const emoji of [...skinTones, "👎🏾"]) {
      fake.users.react({ channelId: fake.ids.existingThread, messageId: answer.id, userId: fake.ids.alice, emoji });
    }
    const events = await capture.next(skinTones.length + 1);
    const reactions = events.map((e) => (e.kind === "reaction" ? e.reaction : null));
    expect(reactions.map((r) => r?.reaction)).toEqual([...skinTones.map(() => "thumbs_up"), "thumbs_down"]);
    expect(reactions[0]).toMatchObject({
      messageRef: { platform: "discord", workspaceId: fake.ids.guild, channelId: fake.ids.existingThread, messageId: answer.id },
      userId: fake.ids.alice,
      isBot: false,
      added: true,
      rawEmoji: "👍",
    });
  });

  it("keeps reactions in DM channels the client has not cached, and removals", async () => {
    await start();
    const dmChannel = fake.users.dmChannel(fake.ids.bob);
    fake.users.react({ channelId: dmChannel, messageId: "1310000000000000901", userId: fake.ids.bob, emoji: "👍🏿" });
    fake.users.react({ channelId: dmChannel, messageId: "1310000000000000901", userId: fake.ids.bob, emoji: "👍🏿", add: false });
    const added = await nextReaction();
    const removed = await nextReaction();
    expect(added).toMatchObject({
      messageRef: { workspaceId: "@dm", channelId: dmChannel, messageId: "1310000000000000901" },
      added: true,
      reaction: "thumbs_up",
    });
    expect([removed.added, removed.reaction]).toEqual([false, "thumbs_up"]);
  });

  it("marks bot reactions and gives other emoji a null reaction", async () => {
    await start();
    fake.users.react({ channelId: fake.ids.general, messageId: fake.ids.existingThreadStarter, userId: fake.ids.otherBot, emoji: "👍" });
    fake.users.react({ channelId: fake.ids.general, messageId: fake.ids.existingThreadStarter, userId: fake.ids.bot, emoji: "👎" });
    fake.users.react({ channelId: fake.ids.general, messageId: fake.ids.existingThreadStarter, userId: fake.ids.alice, emoji: "🎉" });
    fake.users.react({
      channelId: fake.ids.general,
      messageId: fake.ids.existingThreadStarter,
      userId: fake.ids.alice,
      emoji: { id: "1900000000000000001", name: "thumbsup" },
    });
    const [otherBot, self, party, custom] = (await capture.next(4)).map((e) => (e as { reaction: ReactionEvent }).reaction);
    if (!otherBot || !self || !party || !custom) throw new Error("expected four reactions");
    expect([otherBot.isBot, self.isBot, party.isBot]).toEqual([true, true, false]);
    expect([party.reaction, party.rawEmoji]).toEqual([null, "🎉"]);
    expect([custom.reaction, custom.rawEmoji]).toEqual([null, "thumbsup:1900000000000000001"]);
  });

  it("acknowledges a button click with a type 6 callback before forwarding it", async () => {
    const callbacksSeenBySink: number[] = [];
    const inner = createCapturingSink();
    await start(async (event: InboundEvent) => {
      callbacksSeenBySink.push(fake.interactionCallbacks.length);
      await inner.sink(event);
    });
    capture = inner;
    const question = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> hi` });
    const [first] = await capture.next();
    if (first?.kind !== "message") throw new Error("expected the question");
    const answer = await platform.postMessage(first.message.replyTarget, {
      markdown: "Thinking…",
      buttons: [{ actionId: "stop:42", label: "Stop", style: "danger" }],
    });

    const { interactionId } = fake.users.clickButton({ channelId: answer.channelId, messageId: answer.messageId, customId: "stop:42", userId: fake.ids.bob });
    const [event] = await capture.next();
    expect(event?.kind).toBe("action");
    const action = (event as { action: ButtonAction }).action;
    expect(action).toEqual({
      platform: "discord",
      actionId: "stop:42",
      user: { userId: fake.ids.bob, displayName: "Bob" },
      messageRef: answer,
      conversationKey: first.message.conversationKey,
      replyTarget: { platform: "discord", workspaceId: fake.ids.guild, channelId: question.id },
      dedupeKey: `discord-int-${interactionId}`,
      receivedAt: expect.any(String),
    });
    expect(fake.interactionCallbacks).toEqual([expect.objectContaining({ interactionId, type: 6 })]);
    // The acknowledgement was already recorded when the core received the click.
    expect(callbacksSeenBySink.at(-1)).toBe(1);
    // deferUpdate leaves the message as it was.
    expect(fake.botMessages(question.id)[0]?.edits).toEqual([]);
  });
});
