import { describe, expect, it } from "vitest";
import { type ButtonClickSnapshot, normalizeButtonClick } from "../../../../adapters/discord/interactions.js";
import { reasonOf, value } from "../normalized.js";

const everywhere = { allowedGuilds: [] };
const normalize = (snap: ButtonClickSnapshot) => value(normalizeButtonClick(snap, everywhere));

const base: ButtonClickSnapshot = {
  interactionId: "1900000000000000001",
  customId: "stop:abc",
  guildId: "1200000000000000001",
  channelId: "1310000000000000100",
  channelType: 11,
  parentId: "1300000000000000001",
  messageId: "1310000000000000300",
  messageReferenceId: null,
  user: { id: "1500000000000000001", displayName: "Alice" },
  createdAt: "2025-03-01T12:00:00.000Z",
};

describe("normalizeButtonClick", () => {
  it("addresses a click in a thread to the thread's conversation", () => {
    expect(normalize(base)).toEqual({
      platform: "discord",
      actionId: "stop:abc",
      user: { userId: "1500000000000000001", displayName: "Alice" },
      messageRef: { platform: "discord", workspaceId: "1200000000000000001", channelId: "1310000000000000100", messageId: "1310000000000000300" },
      conversationKey: "discord:1200000000000000001:1300000000000000001:1310000000000000100",
      replyTarget: { platform: "discord", workspaceId: "1200000000000000001", channelId: "1310000000000000100" },
      dedupeKey: "discord-int-1900000000000000001",
      receivedAt: "2025-03-01T12:00:00.000Z",
    });
  });

  it("addresses a DM click to the DM conversation", () => {
    const action = normalize({ ...base, guildId: null, channelId: "1700000000000000001", channelType: 1, parentId: null });
    expect(action.conversationKey).toBe("discord:@dm:1700000000000000001:1700000000000000001");
    expect(action.messageRef.workspaceId).toBe("@dm");
  });

  it("ignores clicks in guilds outside the allow-list, never in DMs", () => {
    const only = { allowedGuilds: ["1200000000000000999"] };
    expect(reasonOf(normalizeButtonClick(base, only))).toBe("guild_not_allowed");
    expect(reasonOf(normalizeButtonClick({ ...base, guildId: null, channelType: 1, parentId: null }, only))).toBe("kept");
  });

  it("addresses a click on an in-channel reply to the question it answered", () => {
    const action = normalize({
      ...base,
      channelId: "1300000000000000004",
      channelType: 2,
      parentId: null,
      messageReferenceId: "1310000000000000050",
    });
    expect(action.conversationKey).toBe("discord:1200000000000000001:1300000000000000004:1310000000000000050");
    expect(action.replyTarget.hints).toEqual({ replyToMessage: "1310000000000000050" });
  });
});
