import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PlatformRateLimitError } from "../../../src/contracts/errors.js";
import type { ReplyTarget } from "../../../src/contracts/messages.js";
import { PlatformGateway } from "../../../src/gateway/platform-gateway.js";
import { BridgeMetrics } from "../../../src/observability/metrics.js";
import { DurationEstimator } from "../../../src/rate/duration-stats.js";
import { RateBudgetStore } from "../../../src/rate/rate-budget-store.js";
import { THINKING_TEXT } from "../../../src/reply/reply-layout.js";
import { ReplyStreamer } from "../../../src/reply/reply-streamer.js";
import { FakePlatform } from "../../fakes/fake-platform.js";
import { eventually } from "../../support/bridge-harness.js";
import { captureLogger } from "../../support/capture-logger.js";
import { type TestRedis, testRedis } from "../../support/redis.js";

/** The reply's route through a gateway of its own (the real one: budgets in Redis, 429 blocks, metrics). */
const routeFor = (platform: FakePlatform, budgets: RateBudgetStore, target: ReplyTarget) =>
  new PlatformGateway({ budgets, metrics: new BridgeMetrics({ defaultMetrics: false }), logger: captureLogger() }).to(platform, target);

const words = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => ["alpha", "beta", "gamma", "δέλτα", "漢字", "emoji😀", "\n\n", "`code`"][(i * 7 + seed) % 8]).join(" ");

async function streamAnswer(platform: FakePlatform, budgets: RateBudgetStore, target: ReplyTarget, id: string, text: string, tickMs: number) {
  const placeholderContent = { markdown: THINKING_TEXT, buttons: [{ actionId: `db|s|${id}`, label: "Stop" }] };
  const placeholder = await platform.postMessage(target, placeholderContent);
  const streamer = new ReplyStreamer({
    route: routeFor(platform, budgets, target),
    target,
    placeholder: { ref: placeholder, content: placeholderContent },
    stopButton: { actionId: `db|s|${id}`, label: "Stop" },
    askerUserId: "U1",
    streamId: id,
    durations: new DurationEstimator(2_000),
  });
  const tokens = text.split(/(?<=\s)/);
  let shown = "";
  for (const token of tokens) {
    shown += token;
    streamer.show({ text: shown });
    await new Promise((r) => setTimeout(r, tickMs));
  }
  return streamer.finish({ text });
}

describe("ReplyStreamer with shared budgets (real Redis, fake platform enforcing the limits)", () => {
  let t: TestRedis;
  beforeEach(async () => {
    t = await testRedis();
  });
  afterEach(() => t.cleanup());

  it("ten concurrent streams in one workspace share one budget: zero 429s, every final text exact", async () => {
    const platform = new FakePlatform({
      maxMessageLength: 400,
      minEditIntervalMs: 50,
      // One workspace-wide edit budget, as Slack's chat.update tier; posts generous per channel.
      budgets: (p) => ({
        edit: [{ key: `${p.workspaceId}:update`, limit: 30, windowMs: 10_000 }],
        post: [{ key: `${p.channelId}:post`, limit: 50, windowMs: 10_000 }],
      }),
    });
    const budgets = new RateBudgetStore(t.redis, t.key);
    const texts = Array.from({ length: 10 }, (_, i) => `Answer ${i}: ${words(60 + i * 10, i)}`);
    const results = await Promise.all(
      texts.map((text, i) =>
        streamAnswer(platform, budgets, { platform: "slack", workspaceId: "T1", channelId: `C${i}`, threadId: `t${i}` }, `s${i}`, text, 15),
      ),
    );
    expect(platform.budgetViolations).toBe(0);
    expect(platform.ops.filter((o) => o.rateLimited)).toEqual([]);
    // A final that went out as a new message (its edit slot was far off) has the message it replaced removed
    // right after; the reply is then its messages alone.
    await eventually(() => (texts.every((_, i) => platform.visibleMessages({ channelId: `C${i}` }).length === results[i]?.length) ? true : undefined), 10_000);
    texts.forEach((text, i) => {
      const messages = platform.visibleMessages({ channelId: `C${i}` });
      expect(messages.length).toBe(results[i]?.length);
      expect(messages.every((m) => m.content.markdown.length <= 400)).toBe(true);
      // Every message ends without a Stop button; the text, rejoined, is the answer.
      expect(messages.every((m) => (m.content.buttons ?? []).length === 0)).toBe(true);
      const rejoined = messages
        .map((m) => m.content.markdown)
        .join(" ")
        .replace(/\s+/g, " ")
        .trim();
      expect(rejoined).toBe(text.replace(/\s+/g, " ").trim());
    });
    // Text was shown while streaming, not only at the end.
    const edits = platform.opsOf("edit");
    expect(edits.length).toBeGreaterThan(10);
  });

  it("a 429 on removing the message a reposted final replaced is waited out: the thread shows the answer once", async () => {
    // One edit a minute, spent on the first text: the final goes out as a new message.
    const platform = new FakePlatform({
      maxMessageLength: 2_000,
      minEditIntervalMs: 20,
      budgets: (p) => ({
        edit: [{ key: `${p.workspaceId}:update`, limit: 1, windowMs: 60_000 }],
        post: [{ key: `${p.channelId}:post`, limit: 50, windowMs: 60_000 }],
      }),
    });
    platform.failNext("delete", new PlatformRateLimitError("slack", 300));
    const budgets = new RateBudgetStore(t.redis, t.key);
    const text = `Answer: ${words(40, 3)}`;
    await streamAnswer(platform, budgets, { platform: "slack", workspaceId: "T1", channelId: "C1", threadId: "t1" }, "s1", text, 10);
    expect(platform.ops.filter((o) => o.op === "post").length).toBe(2);
    await eventually(() => (platform.opsOf("delete").length === 1 ? true : undefined), 10_000);
    const shown = platform.visibleMessages({ channelId: "C1" });
    expect(shown.map((m) => m.content.markdown)).toEqual([text]);
    expect(platform.ops.filter((o) => o.op === "delete" && o.rateLimited).length).toBe(1);
  });

  it("text that arrives while an update waits for its budget check goes out in that same update", async () => {
    const platform = new FakePlatform({ maxMessageLength: 2_000, minEditIntervalMs: 20 });
    const store = new RateBudgetStore(t.redis, t.key);
    // A budget check that takes a while (a busy Redis), released by the test.
    let release: (() => void) | undefined;
    const budgets = Object.assign(Object.create(store) as RateBudgetStore, {
      acquire: async (...args: Parameters<RateBudgetStore["acquire"]>) => {
        await new Promise<void>((r) => {
          release = r;
        });
        return store.acquire(...args);
      },
    });
    const target = { platform: "slack", workspaceId: "T1", channelId: "C1", threadId: "t1" } as const;
    const placeholder = await platform.postMessage(target, { markdown: THINKING_TEXT });
    const streamer = new ReplyStreamer({
      route: routeFor(platform, budgets, target),
      target,
      placeholder: { ref: placeholder, content: { markdown: THINKING_TEXT } },
      askerUserId: "U1",
      streamId: "fresh",
      durations: new DurationEstimator(2_000),
    });
    streamer.show({ text: "Hello" });
    await expect.poll(() => release).toBeDefined();
    streamer.show({ text: "Hello, world" });
    release?.();
    await expect.poll(() => platform.opsOf("edit").length).toBe(1);
    expect(platform.opsOf("edit")[0]?.content?.markdown).toBe("Hello, world");
    const done = streamer.finish({ text: "Hello, world!" });
    await expect.poll(() => release).toBeDefined();
    for (let i = 0; i < 50 && platform.opsOf("edit").length < 2; i++) {
      release?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    await done;
    expect(platform.visibleMessages({ channelId: "C1" }).map((m) => m.content.markdown)).toEqual(["Hello, world!"]);
  });

  it("honours Retry-After from a 429 before editing again, and still lands the final text", async () => {
    const platform = new FakePlatform({ maxMessageLength: 2_000, minEditIntervalMs: 20 });
    const budgets = new RateBudgetStore(t.redis, t.key);
    platform.failNext("edit", new PlatformRateLimitError("slack", 700));
    const text = `Rate limited answer ${words(40, 3)}`;
    await streamAnswer(platform, budgets, { platform: "slack", workspaceId: "T1", channelId: "C1", threadId: "t1" }, "rl", text, 10);
    const limited = platform.ops.find((o) => o.rateLimited);
    expect(limited).toBeDefined();
    const after = platform.ops.filter((o) => o.op === "edit" && !o.rateLimited && o.at > (limited?.at ?? 0));
    expect(after.length).toBeGreaterThan(0);
    expect((after[0]?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(690);
    expect(platform.visibleText({ channelId: "C1" })).toBe(text);
  });

  it("an edit that fails does not kill the reply: the final text still lands", async () => {
    const platform = new FakePlatform({ maxMessageLength: 2_000, minEditIntervalMs: 20 });
    const budgets = new RateBudgetStore(t.redis, t.key);
    platform.failNext("edit", new Error("socket hang up"));
    platform.failNext("edit", new Error("socket hang up"));
    const text = `Flaky network ${words(30, 5)}`;
    await streamAnswer(platform, budgets, { platform: "slack", workspaceId: "T1", channelId: "C2", threadId: "t2" }, "flaky", text, 10);
    expect(platform.visibleText({ channelId: "C2" })).toBe(text);
  });

  it("streams natively when the platform offers it, and the final text and buttons land on stop", async () => {
    const platform = new FakePlatform({ maxMessageLength: 12_000, minEditIntervalMs: 20, nativeStreaming: "native" });
    const budgets = new RateBudgetStore(t.redis, t.key);
    const text = `Native ${words(50, 1)}`;
    const refs = await streamAnswer(platform, budgets, { platform: "slack", workspaceId: "T1", channelId: "C3", threadId: "t3" }, "nat", text, 5);
    expect(platform.opsOf("streamStart")).toHaveLength(1);
    expect(platform.opsOf("streamAppend").length).toBeGreaterThan(0);
    expect(platform.opsOf("streamStop")).toHaveLength(1);
    // The placeholder (with the Stop button) was removed when the stream stopped; the answer is what remains.
    const visible = platform.visibleMessages({ channelId: "C3" });
    expect(visible).toHaveLength(1);
    expect(visible[0]?.ref.messageId).toBe(refs[0]?.messageId);
    expect(visible[0]?.content.markdown).toBe(text);
    expect(visible[0]?.streaming).toBe(false);
  });
});
