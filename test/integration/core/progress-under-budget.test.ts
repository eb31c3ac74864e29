import { afterEach, describe, expect, it } from "vitest";
import type { RateBudget, RateBudgets } from "../../../src/contracts/chat-platform.js";
import { RateBudgetStore } from "../../../src/rate/rate-budget-store.js";
import { scripts } from "../../fakes/dify/index.js";
import type { FakeMessage } from "../../fakes/fake-platform.js";
import { type BridgeHarness, eventually, startBridge } from "../../support/bridge-harness.js";

const MINUTE = 60_000;
/** Slack's per-workspace tiers, refilling continuously (as adapters/slack/capabilities.ts declares them). */
const TIERS = {
  edit: { key: "ws:update", limit: 50, windowMs: MINUTE, refill: "continuous" },
  streamStart: { key: "ws:start", limit: 20, windowMs: MINUTE, refill: "continuous" },
  streamStop: { key: "ws:stop", limit: 20, windowMs: MINUTE, refill: "continuous" },
  streamAppend: { key: "ws:append", limit: 100, windowMs: MINUTE, refill: "continuous" },
  post: { key: "ws:post", limit: 60, windowMs: MINUTE, refill: "continuous" },
} satisfies Record<string, RateBudget>;
const budgets = (): RateBudgets => Object.fromEntries(Object.entries(TIERS).map(([op, b]) => [op, [b]]));

/** Every state the reply showed, in order, across its messages (a native stream replaces the placeholder). */
function statesOf(messages: readonly FakeMessage[]): string[] {
  return messages.flatMap((m) => m.history.map((c) => c.markdown));
}

/** `words` chunks of one answer over `durationMs`, asked 20 times at once; resolves with the replies once all are final. */
async function twentyAnswers(h: BridgeHarness, words: number, durationMs: number): Promise<{ answer: string; replies: FakeMessage[][] }> {
  const answer = Array.from({ length: words }, (_, i) => `w${i}`).join(" ");
  h.dify.onChat(() => scripts.answer(answer, { chunkChars: 4, delayMs: durationMs / words }));
  const events = Array.from({ length: 20 }, (_, i) => h.platform.message({ text: `question ${i}`, channelId: "C1" }));
  await Promise.all(events.map((e) => h.platform.emit(e)));
  const threads = events.map((e) => (e.kind === "message" ? e.message.messageId : ""));
  const replies = () => threads.map((t) => h.platform.visibleMessages({ channelId: "C1", threadId: t }));
  await eventually(() => replies().every((r) => r.length === 1 && r[0]?.content.markdown === answer), 60_000);
  return { answer, replies: replies() };
}

/**
 * Progress: a state before the final other than the first text, or a first text held back until it shows a
 * fifth of the answer. The first few characters, then nothing until the end, is what the issue measured as
 * "no partial state".
 */
function expectProgress(reply: readonly FakeMessage[], answer: string): void {
  const withText = statesOf(reply).filter((s) => s !== "" && !s.startsWith("_"));
  const [first, ...later] = withText.filter((s) => s !== answer);
  const progress = [...later, ...(first !== undefined && first.length >= answer.length / 5 ? [first] : [])];
  expect(progress.length, JSON.stringify(withText)).toBeGreaterThanOrEqual(1);
}

/**
 * Ordinary traffic has used half of every budget of the workspace in the last minute,
 * then twenty 3.5 s answers stream at once. Each must show at least one partial state between its first text
 * and its final one (no stream left waiting for the end while a budget has room), and none may draw a 429.
 */
describe("progress under a half-used budget", () => {
  let h: BridgeHarness;
  afterEach(async () => h?.close());

  it("20 concurrent 3.5 s answers: every one shows a partial state after its first text, 0 429s, exact finals", async () => {
    h = await startBridge({ platform: { budgets, nativeStreaming: "auto", minEditIntervalMs: 50, maxMessageLength: 12_000 } });
    const store = new RateBudgetStore(h.redis, h.key);
    for (const b of Object.values(TIERS)) {
      const half = Math.floor(b.limit / 2);
      h.platform.spendBudget(b, half);
      for (let i = 0; i < half; i++) await store.acquire([b], { priority: "high" });
    }
    // 30 chunks over 3.5 s.
    const { answer, replies } = await twentyAnswers(h, 30, 3_500);
    for (const reply of replies) expectProgress(reply, answer);
    expect(h.platform.budgetViolations).toBe(0);
  }, 90_000);

  it("a drained append budget: native starts wait until they show a stretch of the answer, and every answer still shows progress", async () => {
    h = await startBridge({ platform: { budgets, nativeStreaming: "native", minEditIntervalMs: 50, maxMessageLength: 12_000 } });
    const store = new RateBudgetStore(h.redis, h.key);
    // The append bucket spent to the last call in the last minute; the rest of the budgets untouched.
    h.platform.spendBudget(TIERS.streamAppend, TIERS.streamAppend.limit);
    for (let i = 0; i < TIERS.streamAppend.limit; i++) await store.acquire([TIERS.streamAppend], { priority: "high" });
    // 40 chunks over 4 s.
    const { answer, replies } = await twentyAnswers(h, 40, 4_000);
    const firstTexts = replies.map((reply) => statesOf(reply).filter((s) => s !== "" && !s.startsWith("_"))[0] ?? "");
    // Streams that found the bucket drained among many (all but the first few to choose) start with a fifth of
    // the answer or more; a start at once would carry its first word.
    const held = firstTexts.filter((t) => t.length >= answer.length / 5 && t !== answer);
    expect(held.length, JSON.stringify(firstTexts.map((t) => t.length))).toBeGreaterThanOrEqual(10);
    for (const reply of replies) expectProgress(reply, answer);
    expect(h.platform.budgetViolations).toBe(0);
  }, 90_000);
});
