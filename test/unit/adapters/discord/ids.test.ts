import { describe, expect, it } from "vitest";
import { decodeConversationKey, encodeConversationKey, interactionDedupeKey, messageDedupeKey } from "../../../../adapters/discord/ids.js";

describe("conversation keys", () => {
  it.each([
    { workspaceId: "1200000000000000001", channelId: "1300000000000000001", threadId: "1310000000000000100" },
    { workspaceId: "@dm", channelId: "1700000000000000001", threadId: "1700000000000000001" },
  ])("round-trips %o", (address) => {
    const key = encodeConversationKey(address);
    expect(key.startsWith("discord:")).toBe(true);
    expect(decodeConversationKey(key)).toEqual(address);
  });

  it("refuses keys it did not produce", () => {
    for (const key of ["slack:T1:C1:1.2", "discord:1:2", "discord:x:2:3", "discord:1:2:3:4", "discord:@dm:a:b"]) {
      expect(decodeConversationKey(key)).toBeNull();
    }
  });

  it("builds dedupe keys without colons", () => {
    expect(messageDedupeKey("1310000000000000100")).toBe("discord-msg-1310000000000000100");
    expect(interactionDedupeKey("42")).not.toContain(":");
  });
});
