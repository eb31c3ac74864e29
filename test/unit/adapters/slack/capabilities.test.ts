import { describe, expect, it } from "vitest";
import { SLACK_CAPABILITIES } from "../../../../adapters/slack/capabilities.js";
import { SLACK_LIMITS } from "../../../../adapters/slack/render.js";
import { DEFAULT_FAKE_SLACK_TIERS } from "../../../fakes/slack/index.js";

describe("Slack capabilities", () => {
  it("fit Slack's limits", () => {
    expect(SLACK_CAPABILITIES.maxMessageLength).toBe(SLACK_LIMITS.maxMessageLength);
    expect(SLACK_CAPABILITIES.maxMessageLength).toBeLessThan(12_000);
    expect(SLACK_CAPABILITIES.maxButtonsPerMessage).toBe(25);
  });

  it("key budgets per workspace and method (posts per channel), stable and distinct", () => {
    const a = SLACK_CAPABILITIES.rateBudgets({ workspaceId: "T1", channelId: "C1" });
    const b = SLACK_CAPABILITIES.rateBudgets({ workspaceId: "T1", channelId: "C2" });
    const other = SLACK_CAPABILITIES.rateBudgets({ workspaceId: "T2", channelId: "C1" });
    expect(a).toEqual({
      post: [{ key: "slack:T1:C1:chat.postMessage", limit: 60, windowMs: 60_000, refill: "continuous" }],
      edit: [{ key: "slack:T1:chat.update", limit: 50, windowMs: 60_000, refill: "continuous" }],
      delete: [{ key: "slack:T1:chat.delete", limit: 50, windowMs: 60_000, refill: "continuous" }],
      streamStart: [{ key: "slack:T1:chat.startStream", limit: 20, windowMs: 60_000, refill: "continuous" }],
      streamAppend: [{ key: "slack:T1:chat.appendStream", limit: 100, windowMs: 60_000, refill: "continuous" }],
      streamStop: [{ key: "slack:T1:chat.stopStream", limit: 20, windowMs: 60_000, refill: "continuous" }],
      status: [{ key: "slack:T1:assistant.threads.setStatus", limit: 50, windowMs: 60_000, refill: "continuous" }],
    });
    // Edits share one budget across the workspace's channels; posts do not.
    expect(b.edit).toEqual(a.edit);
    expect(b.post).not.toEqual(a.post);
    expect(other.edit?.[0]?.key).not.toBe(a.edit?.[0]?.key);
    const keys = Object.values(a).flatMap((list) => list?.map((x) => x.key) ?? []);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("match the tiers the fake Slack enforces", () => {
    const budgets = SLACK_CAPABILITIES.rateBudgets({ workspaceId: "T", channelId: "C" });
    const byMethod = Object.fromEntries(
      Object.values(budgets)
        .flatMap((list) => list ?? [])
        .map((x) => [x.key.split(":").pop(), { limit: x.limit, windowMs: x.windowMs }]),
    );
    for (const [method, tier] of Object.entries(DEFAULT_FAKE_SLACK_TIERS)) {
      expect(byMethod[method], method).toEqual({ limit: tier.limit, windowMs: tier.windowMs });
    }
  });
});
