import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RateBudgets } from "../../../src/contracts/chat-platform.js";
import { PlatformError, PlatformPermissionError, PlatformRateLimitError } from "../../../src/contracts/errors.js";
import type { ReplyTarget } from "../../../src/contracts/messages.js";
import { PlatformGateway } from "../../../src/gateway/platform-gateway.js";
import { BridgeMetrics } from "../../../src/observability/metrics.js";
import { DurationEstimator } from "../../../src/rate/duration-stats.js";
import { RateBudgetStore } from "../../../src/rate/rate-budget-store.js";
import { THINKING_TEXT } from "../../../src/reply/reply-layout.js";
import { ReplyStreamer } from "../../../src/reply/reply-streamer.js";
import { FakePlatform } from "../../fakes/fake-platform.js";
import { captureLogger, type LogEntry } from "../../support/capture-logger.js";
import { type TestRedis, testRedis } from "../../support/redis.js";

/** One workspace-wide edit budget (Slack's chat.update tier), generous enough that only an injected 429 limits. */
const workspaceBudget = (p: { workspaceId: string }): RateBudgets => ({ edit: [{ key: `${p.workspaceId}:update`, limit: 500, windowMs: 60_000 }] });

describe("PlatformGateway (real Redis, fake platforms)", () => {
  let t: TestRedis;
  let logs: LogEntry[];
  let metrics: BridgeMetrics;
  beforeEach(async () => {
    t = await testRedis();
    logs = [];
    metrics = new BridgeMetrics({ defaultMetrics: false });
  });
  afterEach(() => t.cleanup());

  /** A gateway as one worker process has it: its own budget store on the shared Redis. */
  const gateway = () => new PlatformGateway({ budgets: new RateBudgetStore(t.redis, t.key), metrics, logger: captureLogger(logs) });

  async function streamer(platform: FakePlatform, target: ReplyTarget, id: string): Promise<ReplyStreamer> {
    const content = { markdown: THINKING_TEXT };
    const ref = await platform.postMessage(target, content);
    return new ReplyStreamer({
      route: gateway().to(platform, target),
      target,
      placeholder: { ref, content },
      askerUserId: "U1",
      streamId: id,
      durations: new DurationEstimator(2_000),
    });
  }

  it("a 429 on one stream makes every stream on that budget wait out Retry-After, in any process", async () => {
    // Two worker processes, each with its own platform client and gateway, streaming in one workspace.
    const first = new FakePlatform({ minEditIntervalMs: 20, budgets: workspaceBudget });
    const second = new FakePlatform({ minEditIntervalMs: 20, budgets: workspaceBudget });
    first.failNext("edit", new PlatformRateLimitError("slack", 800));
    const a = await streamer(first, { platform: "slack", workspaceId: "T1", channelId: "C1", threadId: "a" }, "stream-a");
    a.show({ text: "First stream" });
    await expect.poll(() => first.ops.find((o) => o.rateLimited)).toBeDefined();
    const limitedAt = first.ops.find((o) => o.rateLimited)?.at ?? 0;

    const b = await streamer(second, { platform: "slack", workspaceId: "T1", channelId: "C2", threadId: "b" }, "stream-b");
    b.show({ text: "Second stream" });
    // Its first text waits out the block. (A final refused now would go out as a new message instead: posts are
    // another budget, which the 429 on edits did not block.)
    await expect.poll(() => second.opsOf("edit").length, { timeout: 5_000 }).toBeGreaterThan(0);
    await Promise.all([a.finish({ text: "First stream, done." }), b.finish({ text: "Second stream, done." })]);

    const secondEdits = second.opsOf("edit");
    expect(secondEdits.length).toBeGreaterThan(0);
    // The other stream never touched the workspace's budget while the platform had asked everyone to wait.
    expect(Math.min(...secondEdits.map((o) => o.at)) - limitedAt).toBeGreaterThanOrEqual(790);
    expect(second.ops.filter((o) => o.rateLimited)).toEqual([]);
    expect(second.visibleText({ channelId: "C2" })).toBe("Second stream, done.");
    expect(first.visibleText({ channelId: "C1" })).toBe("First stream, done.");
    expect((await metrics.rateLimitHits.get()).values).toEqual([expect.objectContaining({ value: 1, labels: { platform: "slack" } })]);
  });

  describe("must-land calls", () => {
    const target: ReplyTarget = { platform: "slack", workspaceId: "T1", channelId: "C1", threadId: "t1" };

    it("a permanent error is thrown after exactly one attempt", async () => {
      const platform = new FakePlatform();
      platform.failNext("post", new PlatformPermissionError("slack", "chat.postMessage", "chat:write"));
      const route = gateway().to(platform, target);
      await expect(route.mustLand("post", () => platform.postMessage(target, { markdown: "hi" }))).rejects.toBeInstanceOf(PlatformPermissionError);
      expect(platform.ops.filter((o) => o.op === "post")).toHaveLength(1);
      expect(platform.visibleMessages({ channelId: "C1" })).toEqual([]);
    });

    it("transient errors are tried again, a bounded number of times", async () => {
      const platform = new FakePlatform();
      platform.failNext("post", new PlatformError("slack", "chat.postMessage: HTTP 503"));
      const route = gateway().to(platform, target);
      await route.mustLand("post", () => platform.postMessage(target, { markdown: "landed" }), { attempts: 2 });
      expect(platform.visibleText({ channelId: "C1" })).toBe("landed");

      for (let i = 0; i < 3; i++) platform.failNext("edit", new PlatformError("slack", "chat.update: HTTP 503"));
      const ref = platform.visibleMessages({ channelId: "C1" })[0]?.ref;
      if (!ref) throw new Error("no message");
      await expect(route.mustLand("edit", () => platform.editMessage(ref, { markdown: "never" }), { attempts: 3 })).rejects.toBeInstanceOf(PlatformError);
      expect(platform.ops.filter((o) => o.op === "edit")).toHaveLength(3);
      expect(platform.visibleText({ channelId: "C1" })).toBe("landed");
    });

    it("a 429 costs no attempt: the call waits as asked and lands", async () => {
      const platform = new FakePlatform();
      platform.failNext("post", new PlatformRateLimitError("slack", 300));
      const route = gateway().to(platform, target);
      await route.mustLand("post", () => platform.postMessage(target, { markdown: "after the wait" }), { attempts: 1 });
      const [limited, landed] = platform.ops.filter((o) => o.op === "post");
      expect(limited?.rateLimited).toBe(true);
      expect((landed?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(290);
      expect(platform.visibleText({ channelId: "C1" })).toBe("after the wait");
    });
  });

  it("an optional call is skipped while its budget is spent, and never retried", async () => {
    const platform = new FakePlatform({ budgets: () => ({ typing: [{ key: "global", limit: 1, windowMs: 60_000 }] }) });
    const target: ReplyTarget = { platform: "slack", workspaceId: "T1", channelId: "C1" };
    const route = gateway().to(platform, target);
    expect(await route.optional("typing", () => platform.sendTyping(target))).toBe(true);
    expect(await route.optional("typing", () => platform.sendTyping(target))).toBe(false);
    expect(platform.opsOf("typing")).toHaveLength(1);
    const failing = gateway().to(new FakePlatform(), target);
    expect(await failing.optional("typing", () => Promise.reject(new PlatformError("slack", "down")))).toBe(false);
  });
});
