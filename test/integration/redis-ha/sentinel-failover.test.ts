import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { startSentinelTopology } from "../../support/redis-topology.js";

/**
 * A Sentinel-managed Redis (primary, two replicas, three Sentinels) whose primary is switched with SENTINEL
 * FAILOVER while five answers stream. REDIS_URL is the Sentinel form, set before the harness (which reads it)
 * is loaded, so the bridge and the test's own connection both follow the primary through Sentinel.
 */
const sentinel = await startSentinelTopology();
afterAll(() => sentinel.stop());
process.env.REDIS_URL = sentinel.url;

const { startBridge, eventually } = await import("../../support/bridge-harness.js");
const { scripts } = await import("../../fakes/dify/index.js");

describe("Redis Sentinel: a primary failover in the middle of five answers", () => {
  // The waits below add up to more than the suite's 30 s default when a job is taken over after the switch.
  it("every answer completes or is marked, none is asked or posted twice, and the next mention is answered", { timeout: 75_000 }, async () => {
    const h = await startBridge({ env: { JOB_LOCK_MS: "5000" } });
    try {
      const answerTo = (q: string) => Array.from({ length: 24 }, (_, i) => `${q}-part${i}`).join(" ");
      h.dify.onChat((turn) => scripts.answer(answerTo(turn.query), { chunkChars: 12, delayMs: 60 }));
      const questions = ["alpha", "bravo", "charlie", "delta", "echo"];
      const events = questions.map((q) => h.platform.message({ text: q }));
      for (const e of events) await h.platform.emit(e);
      const threads = events.map((e) => (e.kind === "message" ? e.message.messageId : ""));

      // All five are streaming: Dify is answering each, and each reply already shows some of its text.
      await eventually(() => h.dify.streams.length === 5 && threads.every((t) => h.platform.visibleText({ channelId: "C1", threadId: t }).includes("-part")));
      const { from, to } = await sentinel.failover();
      expect(to).not.toBe(from);
      expect(h.dify.streams.some((s) => s.endReason === undefined)).toBe(true); // the switch happened mid-answer

      const finals = await eventually(() => {
        const texts = threads.map((t) => {
          const messages = h.platform.visibleMessages({ channelId: "C1", threadId: t });
          const done = messages.length > 0 && messages.every((m) => !(m.content.buttons ?? []).some((b) => b.label === "Stop"));
          return done ? messages.map((m) => m.content.markdown).join("") : undefined;
        });
        return texts.every((t) => t !== undefined) ? (texts as string[]) : undefined;
      }, 30_000);
      finals.forEach((text, i) => {
        const q = questions[i] as string;
        // Complete, or marked with the ⚠️ line: never left "Thinking…", never silently cut.
        if (text !== answerTo(q)) expect(text).toMatch(/⚠️/);
      });
      // None duplicated: one Dify call and one reply message per question.
      expect(h.dify.chatRequests.map((r) => r.chat.query).sort()).toEqual([...questions].sort());
      expect(h.platform.opsOf("post")).toHaveLength(5);
      for (const t of threads) expect(h.platform.visibleMessages({ channelId: "C1", threadId: t })).toHaveLength(1);

      // Intake resumed on the new primary.
      const next = h.platform.message({ text: "foxtrot" });
      await h.platform.emit(next);
      const nextThread = next.kind === "message" ? next.message.messageId : "";
      await eventually(() => h.platform.visibleText({ channelId: "C1", threadId: nextThread }) === answerTo("foxtrot"), 15_000);
      // It was written to the new primary, and the old one now replicates it.
      const nextKey = h.key("conv", next.kind === "message" ? next.message.conversationKey : "");
      const direct = new Redis({ host: "127.0.0.1", port: to, lazyConnect: true });
      await direct.connect();
      expect(await direct.exists(nextKey)).toBe(1);
      expect(String(await direct.call("ROLE"))).toMatch(/^master/);
      direct.disconnect();
    } finally {
      await h.close();
    }
  });
});
