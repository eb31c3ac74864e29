import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DiscordPlatform } from "../../../adapters/discord/discord-platform.js";
import type { InboundMessage } from "../../../src/contracts/messages.js";
import { FakeDiscord, MESSAGE_CONTENT_INTENT } from "../../fakes/discord/index.js";
import { createCapturingLogger, createCapturingSink, platformFor } from "./helpers.js";

describe("discord without the Message Content intent", () => {
  let fake: FakeDiscord;
  let platform: DiscordPlatform;

  beforeEach(async () => {
    fake = await FakeDiscord.start({ heartbeatIntervalMs: 250, messageContentIntent: "denied" });
  });

  afterEach(async () => {
    await platform?.stop();
    await fake.close();
  });

  it("falls back after close 4014, says loudly what is missing, and keeps serving mentions and DMs", async () => {
    const logger = createCapturingLogger();
    platform = platformFor(fake, logger);
    const capture = createCapturingSink();
    await platform.start(capture.sink);

    expect(fake.gateway.closeCodesSent).toEqual([4014]);
    expect(fake.gateway.identifies.map((i) => (i.intents & MESSAGE_CONTENT_INTENT) !== 0)).toEqual([true, false]);
    expect(platform.isReady()).toBe(true);
    expect(platform.hasMessageContent).toBe(false);
    const loud = logger.entries.find((e) => e.level === "error" && e.obj.missingIntent === "MESSAGE_CONTENT");
    expect(loud?.msg).toMatch(/Message Content intent/);
    expect(String(loud?.obj.howToEnable)).toMatch(/Privileged Gateway Intents/);

    const next = async (): Promise<InboundMessage> => {
      const [event] = await capture.next();
      if (event?.kind !== "message") throw new Error("expected a message");
      return event.message;
    };

    // Mentions still carry their text.
    const mention = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> still there?` });
    expect(await next()).toMatchObject({ messageId: mention.id, text: "still there?", mentionsBot: true });

    // A thread reply without a mention arrives empty: nothing to answer, so it is not forwarded.
    fake.users.sendMessage({ channelId: fake.ids.existingThread, content: "unreadable without the intent" });
    const dm = fake.users.sendDirectMessage({ authorId: fake.ids.alice, content: "DMs keep their text" });
    expect(await next()).toMatchObject({ messageId: dm.id, text: "DMs keep their text", isDirectMessage: true });
  });

  it("uses the intent when the portal grants it", async () => {
    fake.setMessageContentIntent("granted");
    platform = platformFor(fake, createCapturingLogger());
    const capture = createCapturingSink();
    await platform.start(capture.sink);
    expect(fake.gateway.closeCodesSent).toEqual([]);
    expect(platform.hasMessageContent).toBe(true);
    fake.users.sendMessage({ channelId: fake.ids.existingThread, content: "readable" });
    const [event] = await capture.next();
    expect(event?.kind === "message" && event.message.text).toBe("readable");
  });
});
