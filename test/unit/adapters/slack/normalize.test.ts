import { describe, expect, it } from "vitest";
import {
  type NormalizeContext,
  normalizeBlockActions,
  normalizeMessageEvent,
  normalizeReactionEvent,
  normalizeSlackFile,
  slackTsToIso,
} from "../../../../adapters/slack/normalize.js";
import type { SlackBlockActionsBody, SlackMessageEvent, SlackReactionEvent } from "../../../../adapters/slack/slack-payloads.js";
import { reasonOf, value } from "../normalized.js";
import { slackFixture } from "./fixtures.js";

const ctx: NormalizeContext = { botUserId: "U0BOT123", teamId: "T0123ABCD", allowedChannels: [] };
const NOW = "2024-04-05T19:34:38.000Z";
const event = (name: string) => slackFixture<{ event: SlackMessageEvent }>(name).event;

describe("normalizeMessageEvent", () => {
  it("normalizes a channel mention and gives both delivered copies one dedupe key", () => {
    const fromMention = value(normalizeMessageEvent(event("app-mention"), ctx, NOW));
    const fromMessage = value(normalizeMessageEvent(event("message-mention"), ctx, NOW));
    expect(fromMention).toEqual({
      platform: "slack",
      messageId: "1712345678.000100",
      dedupeKey: "slack_T0123ABCD_C0GENERAL_1712345678.000100",
      conversationKey: "slack:T0123ABCD:C0GENERAL:1712345678.000100",
      replyTarget: {
        platform: "slack",
        workspaceId: "T0123ABCD",
        channelId: "C0GENERAL",
        threadId: "1712345678.000100",
        hints: { channelType: "channel", recipientTeamId: "T0123ABCD" },
      },
      author: { userId: "U0ALICE01", displayName: "U0ALICE01" },
      text: "can you summarise [the doc](https://example.com/doc?a=1&b=2) for @U0OTHER9? <3",
      isDirectMessage: false,
      mentionsBot: true,
      mentionsOthers: true,
      inExistingThread: false,
      attachments: [],
      receivedAt: NOW,
    });
    expect(fromMessage.dedupeKey).toBe(fromMention.dedupeKey);
    expect(fromMessage.conversationKey).toBe(fromMention.conversationKey);
    expect(fromMessage.text).toBe(fromMention.text);
  });

  it("uses names it was given for the author and mentions", () => {
    const m = value(normalizeMessageEvent(event("app-mention"), { ...ctx, userNames: { U0ALICE01: "Alice", U0OTHER9: "Bob" } }, NOW));
    expect(m.author.displayName).toBe("Alice");
    expect(m.text).toContain("for @Bob?");
  });

  it("keeps a thread reply without a mention, keyed on the thread", () => {
    const m = value(normalizeMessageEvent(slackFixture<SlackMessageEvent>("message-thread-reply"), ctx, NOW));
    expect(m).toMatchObject({
      mentionsBot: false,
      mentionsOthers: false,
      inExistingThread: true,
      conversationKey: "slack:T0123ABCD:C0GENERAL:1712345678.000100",
      replyTarget: { threadId: "1712345678.000100" },
      dedupeKey: "slack_T0123ABCD_C0GENERAL_1712345999.000200",
      text: "and what about **step two**? ~~old~~ `keep *this*`",
    });
  });

  it("keeps a DM without a mention and takes the name from user_profile", () => {
    const m = value(normalizeMessageEvent(slackFixture<SlackMessageEvent>("message-dm"), ctx, NOW));
    expect(m).toMatchObject({
      isDirectMessage: true,
      mentionsBot: false,
      author: { userId: "U0ALICE01", displayName: "alice" },
      replyTarget: { channelId: "D0DIRECT1", threadId: "1712346000.000300", hints: { channelType: "im" } },
    });
  });

  it("reads files: voice clips become audio voice notes, tombstones are skipped", () => {
    const m = value(normalizeMessageEvent(slackFixture<SlackMessageEvent>("file-share-voice-clip"), ctx, NOW));
    expect(m.text).toBe("");
    expect(m.attachments).toEqual([
      {
        id: "F0AUDIO01",
        name: "audio_message.mp4",
        mimeType: "audio/mp4",
        sizeBytes: 48211,
        isVoiceNote: true,
        ref: "https://files.slack.com/files-pri/T0123ABCD-F0AUDIO01/download/audio_message.mp4",
      },
      {
        id: "F0WEBM002",
        name: "clip.webm",
        mimeType: "audio/webm",
        sizeBytes: 1200,
        isVoiceNote: true,
        ref: "https://files.slack.com/files-pri/T0123ABCD-F0WEBM002/download/clip.webm",
      },
      {
        id: "F0SHEET03",
        name: "budget.xlsx",
        mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        sizeBytes: 9000,
        isVoiceNote: false,
        ref: "https://files.slack.com/files-pri/T0123ABCD-F0SHEET03/download/budget.xlsx",
      },
    ]);
  });

  it("drops edits, bots, itself, and channel chatter that is neither a mention nor in a thread", () => {
    expect(reasonOf(normalizeMessageEvent(slackFixture<SlackMessageEvent>("message-changed"), ctx, NOW))).toBe("system_message");
    expect(reasonOf(normalizeMessageEvent(slackFixture<SlackMessageEvent>("bot-message"), ctx, NOW))).toBe("bot_author");
    const dm = slackFixture<SlackMessageEvent>("message-dm");
    expect(reasonOf(normalizeMessageEvent({ ...dm, user: "U0BOT123" }, ctx, NOW))).toBe("own_message");
    expect(reasonOf(normalizeMessageEvent({ ...dm, bot_id: "B0SOMEBOT" }, ctx, NOW))).toBe("bot_author");
    expect(reasonOf(normalizeMessageEvent({ ...dm, subtype: "message_deleted" }, ctx, NOW))).toBe("system_message");
    expect(reasonOf(normalizeMessageEvent({ ...dm, subtype: "channel_join" }, ctx, NOW))).toBe("system_message");
    expect(reasonOf(normalizeMessageEvent({ ...dm, channel: "C0GENERAL", channel_type: "channel" }, ctx, NOW))).toBe("not_addressed");
  });

  it("keeps thread_broadcast replies", () => {
    const reply = slackFixture<SlackMessageEvent>("message-thread-reply");
    expect(value(normalizeMessageEvent({ ...reply, subtype: "thread_broadcast" }, ctx, NOW)).inExistingThread).toBe(true);
  });

  it("applies the channel allow-list to channels but not to DMs", () => {
    const only = { ...ctx, allowedChannels: ["C0OTHER01"] };
    expect(reasonOf(normalizeMessageEvent(event("app-mention"), only, NOW))).toBe("channel_not_allowed");
    expect(reasonOf(normalizeMessageEvent(slackFixture<SlackMessageEvent>("message-dm"), only, NOW))).toBe("kept");
    expect(reasonOf(normalizeMessageEvent(event("app-mention"), { ...ctx, allowedChannels: ["C0GENERAL"] }, NOW))).toBe("kept");
  });
});

describe("normalizeReactionEvent", () => {
  it("maps 👍 with a skin tone and keeps the reacted message", () => {
    const r = value(normalizeReactionEvent(slackFixture<SlackReactionEvent>("reaction-added"), ctx, NOW));
    expect(r).toEqual({
      platform: "slack",
      messageRef: { platform: "slack", workspaceId: "T0123ABCD", channelId: "C0GENERAL", messageId: "1712345680.000500" },
      userId: "U0ALICE01",
      isBot: false,
      added: true,
      reaction: "thumbs_up",
      rawEmoji: "+1::skin-tone-4",
      occurredAt: slackTsToIso("1712346300.000800", NOW),
    });
  });

  it("reports removals, other emoji as null, the bot's own, and skips non-message items", () => {
    const base = slackFixture<SlackReactionEvent>("reaction-added");
    expect(value(normalizeReactionEvent({ ...base, type: "reaction_removed", reaction: "-1" }, ctx, NOW))).toMatchObject({
      added: false,
      reaction: "thumbs_down",
    });
    expect(value(normalizeReactionEvent({ ...base, reaction: "eyes" }, ctx, NOW)).reaction).toBeNull();
    expect(value(normalizeReactionEvent({ ...base, user: "U0BOT123" }, ctx, NOW)).isBot).toBe(true);
    expect(reasonOf(normalizeReactionEvent({ ...base, item: { type: "file" } }, ctx, NOW))).toBe("unsupported_event");
  });
});

describe("normalizeBlockActions", () => {
  it("turns a button click into a ButtonAction in the right conversation", () => {
    const [a, ...rest] = value(normalizeBlockActions(slackFixture<SlackBlockActionsBody>("block-actions"), ctx, NOW));
    expect(rest).toEqual([]);
    expect(a).toEqual({
      platform: "slack",
      actionId: "suggest:1",
      user: { userId: "U0ALICE01", displayName: "alice.doe" },
      messageRef: { platform: "slack", workspaceId: "T0123ABCD", channelId: "C0GENERAL", messageId: "1712345680.000500", threadId: "1712345678.000100" },
      conversationKey: "slack:T0123ABCD:C0GENERAL:1712345678.000100",
      replyTarget: {
        platform: "slack",
        workspaceId: "T0123ABCD",
        channelId: "C0GENERAL",
        threadId: "1712345678.000100",
        hints: { channelType: "channel", recipientTeamId: "T0123ABCD" },
      },
      dedupeKey: "slack-action_T0123ABCD_7012345678.1234567890.abcdef0123456789abcdef0123456789_U0ALICE01",
      receivedAt: NOW,
    });
    expect(a?.dedupeKey).not.toContain(":");
  });
});

describe("normalizeSlackFile", () => {
  it("falls back to a name and a generic type", () => {
    expect(normalizeSlackFile({ id: "F1", filetype: "png", url_private: "https://files.slack.com/x" })).toEqual({
      id: "F1",
      name: "F1.png",
      mimeType: "application/octet-stream",
      sizeBytes: 0,
      isVoiceNote: false,
      ref: "https://files.slack.com/x",
    });
  });
});
