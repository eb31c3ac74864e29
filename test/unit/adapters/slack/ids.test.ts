import { describe, expect, it } from "vitest";
import { actionDedupeKey, decodeConversationKey, encodeConversationKey, messageDedupeKey } from "../../../../adapters/slack/ids.js";

describe("conversation keys", () => {
  it("round-trip", () => {
    const address = { workspaceId: "T0123", channelId: "C0456", threadId: "1712345678.000100" };
    const key = encodeConversationKey(address);
    expect(key).toBe("slack:T0123:C0456:1712345678.000100");
    expect(decodeConversationKey(key)).toEqual(address);
  });

  it("reject other platforms and malformed keys", () => {
    for (const key of ["discord:G:C:T", "slack:T:C", "slack:T::1.2", "slack:T:C:1:2", ""]) expect(decodeConversationKey(key)).toBeNull();
  });
});

describe("dedupe keys", () => {
  it("contain no ':' and differ per message and per click", () => {
    const a = messageDedupeKey("T1", "C1", "1712345678.000100");
    const b = messageDedupeKey("T1", "C1", "1712345678.000101");
    expect(a).not.toContain(":");
    expect(a).not.toBe(b);
    expect(actionDedupeKey("T1", "trig:ger", "U1")).not.toContain(":");
  });
});
