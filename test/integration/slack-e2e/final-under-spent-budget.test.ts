import { afterEach, describe, expect, it } from "vitest";
import { RateBudgetStore } from "../../../src/rate/rate-budget-store.js";
import { scripts } from "../../fakes/dify/index.js";
import { eventually, hasStopButton, SlackE2E } from "./slack-e2e-harness.js";

/**
 * The workspace's budgets for `methods` are spent for the next 30 s, for every process: what another process's 429
 * (Retry-After 30) or a burst of other answers leaves. Returns the function that gives them back.
 */
async function spendFor30s(e: SlackE2E, methods: readonly string[]): Promise<() => Promise<void>> {
  const store = new RateBudgetStore(e.h.redis, e.h.key);
  const keys = methods.map((m) => `slack:${e.slack.team.teamId}:${m}`);
  await store.block(keys, 30_000);
  return async () => {
    await e.h.redis.del(...keys.map((k) => e.h.key("block", k)));
  };
}

describe.each([
  { mode: "edit", spent: ["chat.update"] },
  { mode: "native", spent: ["chat.update", "chat.appendStream", "chat.stopStream"] },
] as const)("Slack end to end: a final text when its own budget is spent (SLACK_STREAMING=$mode)", ({ mode, spent }) => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("goes out as a new message at once, the earlier message is removed, the answer is never shown twice, 0 429s", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_STREAMING: mode } });
    const answer = Array.from({ length: 30 }, (_, i) => `part${i}`).join(" ");
    e.dify.onChat(() => scripts.answer(answer, { chunkChars: 12, delayMs: 100 }));
    const q = await e.mention({ channel: "C0SPENT", text: "answer while the workspace is busy" });
    // Let the reply start (placeholder, first text), then the workspace's budgets run dry for good.
    await eventually(() => e.botReplies(q).some((m) => m.markdown.startsWith("part0")) || undefined, 10_000);
    const release = await spendFor30s(e, spent);
    try {
      const [reply] = await e.waitForAnswer(q, answer, 10_000);
      const endedAt = e.dify.streams[0]?.endedAt;
      expect(endedAt).toBeDefined();
      // Shown while the budgets were still spent, within a couple of seconds of Dify's message_end.
      const shownAt = reply!.revisions.find((r) => r.markdown === answer)!.atMs;
      expect(shownAt - endedAt!).toBeLessThan(2_500);
      expect(reply!.revisions[0]?.via).toBe("chat.postMessage");
      expect(hasStopButton(reply!)).toBe(false);
    } finally {
      await release();
    }
    // The earlier message (and, for a native stream, its placeholder) goes; one bot message holds the answer.
    await eventually(() => (e.botReplies(q).length === 1 ? true : undefined), 10_000);
    expect(e.botReplies(q).map((m) => m.markdown)).toEqual([answer]);
    // Never twice: no other bot message of the thread ever showed the whole answer.
    const showedAnswer = e.botMessagesEver(q).filter((m) => m.revisions.some((r) => r.markdown === answer));
    expect(showedAnswer).toHaveLength(1);
    expect(e.botMessagesEver(q).length).toBeGreaterThan(1);
    expect(e.slack.rateLimitedCalls()).toEqual([]);
  });
});
