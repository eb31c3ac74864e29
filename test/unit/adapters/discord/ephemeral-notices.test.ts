import { describe, expect, it } from "vitest";
import { RecentInteractions } from "../../../../adapters/discord/ephemeral-notices.js";

const click = (channelId: string, userId: string, token: string) => ({ channelId, userId, applicationId: "1100000000000000001", token });

describe("RecentInteractions", () => {
  it("finds the latest click of a user in a channel, and only there", () => {
    const recent = new RecentInteractions();
    recent.remember(click("10", "alice", "t1"), 0);
    recent.remember(click("10", "alice", "t2"), 5);
    recent.remember(click("10", "bob", "t3"), 6);
    expect(recent.find("10", "alice", 10)).toEqual({ applicationId: "1100000000000000001", token: "t2" });
    expect(recent.find("10", "bob", 10)?.token).toBe("t3");
    expect(recent.find("11", "alice", 10)).toBeNull();
    expect(recent.find("10", "carol", 10)).toBeNull();
  });

  it("forgets a click before its token expires (Discord: 15 minutes)", () => {
    const recent = new RecentInteractions();
    recent.remember(click("10", "alice", "t1"), 0);
    expect(recent.find("10", "alice", 14 * 60_000 - 1)?.token).toBe("t1");
    expect(recent.find("10", "alice", 14 * 60_000)).toBeNull();
    expect(recent.size).toBe(0);
  });

  it("stays bounded, forgetting the least recently clicked places first", () => {
    const recent = new RecentInteractions(60_000, 2);
    recent.remember(click("1", "a", "t1"), 0);
    recent.remember(click("2", "a", "t2"), 1);
    recent.remember(click("1", "a", "t1b"), 2); // refreshed: now the newest
    recent.remember(click("3", "a", "t3"), 3);
    expect(recent.size).toBe(2);
    expect(recent.find("2", "a", 4)).toBeNull();
    expect(recent.find("1", "a", 4)?.token).toBe("t1b");
    expect(recent.find("3", "a", 4)?.token).toBe("t3");
  });
});
