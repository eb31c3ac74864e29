import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { DEFAULT_FAKE_SLACK_TIERS } from "../../fakes/slack/index.js";
import { answerRevisions, expectStreamedGrowth, hasStopButton, type Posted, SlackE2E } from "./slack-e2e-harness.js";

const STREAMS = 10;

/** A distinct answer per question (so a mix-up shows), about 330 characters with multi-byte text. */
function answerFor(n: number): string {
  const words = Array.from({ length: 36 }, (_, i) => `w${n}-${i}`).join(" ");
  return `Answer ${n} 🚀 for channel ${n}: ${words}. 終わり ${n}.`;
}

describe.each(["edit", "auto"] as const)("Slack end to end: ten concurrent streams in one workspace (SLACK_STREAMING=%s)", (mode) => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("ten mentions at once, answers streaming for a few seconds: zero 429s under Slack's tiers, every final text exact", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_STREAMING: mode } });
    // The fake enforces Slack's default tiers, per workspace (chat.update 50/min, streams 20/min…).
    expect(DEFAULT_FAKE_SLACK_TIERS["chat.update"]).toMatchObject({ limit: 50, windowMs: 60_000, scope: "workspace" });
    e.dify.onChat((turn) => {
      const n = Number(/question (\d+)/.exec(turn.query)?.[1]);
      // 10 characters every 80 ms: about 3 s per answer, all ten at the same time.
      return scripts.answer(answerFor(n), { chunkChars: 10, delayMs: 80 });
    });

    const asked: Posted[] = await Promise.all(
      Array.from({ length: STREAMS }, (_, i) => e.mention({ channel: `C0CHAN${String(i + 1).padStart(2, "0")}`, text: `question ${i + 1}` })),
    );
    const finals = await Promise.all(asked.map((q, i) => e.waitForAnswer(q, answerFor(i + 1), 45_000)));

    // Zero 429s from the fake, on any method; Slack refused nothing.
    expect(e.slack.rateLimitedCalls()).toEqual([]);
    expect(e.slack.calls.filter((c) => c.error !== undefined).map((c) => `${c.method}: ${c.error}`)).toEqual([]);
    expect(e.dify.chatRequests).toHaveLength(STREAMS);
    expect(e.dify.streams.every((s) => s.endReason === "completed")).toBe(true);

    const nativeStarts = e.slack.callsTo("chat.startStream").length;
    finals.forEach((replies, i) => {
      const answer = answerFor(i + 1);
      expect(replies).toHaveLength(1);
      const [reply] = replies;
      if (!reply) throw new Error("no reply");
      expect(reply.markdown).toBe(answer);
      expect(hasStopButton(reply)).toBe(false);
      // Streamed: part of the text was visible before the final text, and it only grew.
      expectStreamedGrowth(answerRevisions(reply), answer);
      if (reply.stream === "stopped") {
        // Natively streamed: appended, then stopped; the placeholder with the Stop button is gone.
        expect(reply.revisions[0]?.via).toBe("chat.startStream");
        expect(reply.revisions.at(-1)?.via).toBe("chat.stopStream");
      } else {
        expect(reply.blocks).toEqual([{ type: "markdown", text: answer }]);
      }
    });

    if (mode === "edit") {
      expect(nativeStarts).toBe(0);
      expect(e.slack.callsTo("chat.appendStream")).toHaveLength(0);
    } else {
      // Every native stream that started was stopped; each stop removed its placeholder.
      expect(e.slack.callsTo("chat.stopStream")).toHaveLength(nativeStarts);
      expect(e.slack.messages.all().filter((m) => m.stream === "streaming")).toEqual([]);
    }
    // Within one 60 s window the workspace never went over its tiers.
    expect(e.slack.callsTo("chat.update").length).toBeLessThanOrEqual(50);
    expect(e.slack.callsTo("chat.startStream").length).toBeLessThanOrEqual(20);
    expect(e.slack.callsTo("chat.appendStream").length).toBeLessThanOrEqual(100);
    console.info(
      `SLACK_STREAMING=${mode}: ${STREAMS - nativeStarts} edited, ${nativeStarts} native; ` +
        `chat.update ${e.slack.callsTo("chat.update").length}, appendStream ${e.slack.callsTo("chat.appendStream").length}, postMessage ${e.slack.callsTo("chat.postMessage").length}`,
    );
  });
});
