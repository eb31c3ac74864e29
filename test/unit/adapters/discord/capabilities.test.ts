import { describe, expect, it } from "vitest";
import { discordCapabilities } from "../../../../adapters/discord/capabilities.js";

describe("discordCapabilities", () => {
  const caps = discordCapabilities(10 * 1024 * 1024);

  it("states Discord's limits", () => {
    expect(caps).toMatchObject({ maxMessageLength: 2000, maxButtonsPerMessage: 25, maxUploadBytes: 10_485_760, minEditIntervalMs: 1000 });
  });

  it("spends the channel's 5-per-5 s bucket and the global 50/s on posts and edits", () => {
    const budgets = caps.rateBudgets({ workspaceId: "1200000000000000001", channelId: "1310000000000000100" });
    const expected = [
      { key: "discord:channel:1310000000000000100", limit: 5, windowMs: 5000 },
      { key: "discord:global", limit: 50, windowMs: 1000 },
    ];
    expect(budgets.post).toEqual(expected);
    expect(budgets.edit).toEqual(expected);
    expect(budgets.streamAppend).toBeUndefined();
  });

  it("gives every channel its own stable key and shares the global one", () => {
    const a = caps.rateBudgets({ workspaceId: "1", channelId: "10" }).post ?? [];
    const b = caps.rateBudgets({ workspaceId: "1", channelId: "11" }).post ?? [];
    const again = caps.rateBudgets({ workspaceId: "1", channelId: "10" }).post ?? [];
    expect(a[0]?.key).not.toBe(b[0]?.key);
    expect(a[0]?.key).toBe(again[0]?.key);
    expect(a[1]?.key).toBe(b[1]?.key);
  });
});
