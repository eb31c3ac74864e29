import { describe, expect, it } from "vitest";
import { createRedisKeys, queuePrefix } from "../../../src/state/redis-keys.js";

/** Redis Cluster's rule: only the part inside the first non-empty `{…}` is hashed. */
function hashedPart(key: string): string {
  const open = key.indexOf("{");
  const close = open === -1 ? -1 : key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe("createRedisKeys", () => {
  it("keeps the plain layout for one server or Sentinel (existing deployments keep their keys)", () => {
    const key = createRedisKeys("bridge");
    expect(key("conv", "slack:T1:C1:17.1")).toBe("bridge:conv:slack:T1:C1:17.1");
    expect(key("budget", "discord:channel:9")).toBe("bridge:budget:discord:channel:9");
    expect(queuePrefix("bridge")).toBe("bridge");
  });

  it("with hash tags, every key of one thread shares one slot, whatever its kind", () => {
    const key = createRedisKeys("bridge", { hashTags: true });
    const thread = "slack:T1:C1:17.1";
    const keys = (["thread", "conv", "fifo", "lock"] as const).map((k) => key(k, thread));
    expect(keys).toEqual([
      "bridge:thread:{slack:T1:C1:17.1}",
      "bridge:conv:{slack:T1:C1:17.1}",
      "bridge:fifo:{slack:T1:C1:17.1}",
      "bridge:lock:{slack:T1:C1:17.1}",
    ]);
    expect(new Set(keys.map(hashedPart))).toEqual(new Set([thread]));
    // Another thread is another slot group.
    expect(hashedPart(key("conv", "slack:T1:C1:18.2"))).not.toBe(thread);
  });

  it("with hash tags, one Dify message's feedback keys share a slot", () => {
    const key = createRedisKeys("bridge", { hashTags: true });
    expect(new Set((["reactions", "rating", "fblock"] as const).map((k) => hashedPart(key(k, "msg-1"))))).toEqual(new Set(["msg-1"]));
  });

  it("with hash tags, every budget (log, block, active) shares one slot: one acquisition spans several budgets", () => {
    const key = createRedisKeys("bridge", { hashTags: true });
    const all = ["discord:channel:9", "discord:global", "slack:T1:chat.update", "ch1"].flatMap((b) =>
      (["budget", "block", "active"] as const).map((k) => key(k, b)),
    );
    expect(all[0]).toBe("bridge:budget:{bridge:budgets}:discord:channel:9");
    expect(new Set(all.map(hashedPart))).toEqual(new Set(["bridge:budgets"]));
  });

  it("with hash tags, a key may join another id's slot (a message's dedupe marker with its thread)", () => {
    const key = createRedisKeys("bridge", { hashTags: true });
    const thread = "slack:T1:C1:17.1";
    expect(key("seen", "slack-T1-C1-17.2", thread)).toBe("bridge:seen:{slack:T1:C1:17.1}:slack-T1-C1-17.2");
    expect(hashedPart(key("seen", "slack-T1-C1-17.2", thread))).toBe(hashedPart(key("fifo", thread)));
    expect(createRedisKeys("bridge")("seen", "slack-T1-C1-17.2", thread)).toBe("bridge:seen:slack-T1-C1-17.2");
  });

  it("tags BullMQ's prefix under Cluster, as BullMQ asks (one queue, one slot)", () => {
    expect(queuePrefix("bridge", { hashTags: true })).toBe("{bridge}");
  });
});
