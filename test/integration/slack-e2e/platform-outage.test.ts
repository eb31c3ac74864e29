import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { SlackE2E } from "./slack-e2e-harness.js";

const ANSWER = "The outage ended, and the whole answer is shown, exactly once.";
const STREAM_AND_UPDATE = ["chat.update", "chat.startStream", "chat.appendStream", "chat.stopStream"];

/**
 * Slack answers HTTP 500 to every update and streaming call for 20 s, from just before an
 * answer starts. Dify finishes within a second, so the final text meets the outage. It must be retried until it
 * is shown, and the turn must not be logged as delivered while it is not.
 */
describe("Slack outage at the end of an answer", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("the final text is retried through 20 s of 500s and shown; 'delivered' is logged only once it is", async () => {
    e = await SlackE2E.start();
    e.dify.onChat(() => scripts.answer(ANSWER, { chunkChars: 10, delayMs: 30 }));
    e.slack.outage(STREAM_AND_UPDATE, { status: 500, durationMs: 20_000 });
    const thread = await e.mention({ text: "status?" });
    await sleep(15_000);
    // Well into the outage: Dify is done, Slack has refused everything, the reply is not final, nothing says it is.
    expect(e.dify.streams[0]?.endReason).toBeDefined();
    expect(e.finalReplies(thread)).toBeUndefined();
    expect(e.h.logs.filter((l) => l.msg === "answer delivered")).toEqual([]);
    expect(e.slack.calls.filter((c) => STREAM_AND_UPDATE.includes(c.method) && c.status === 500).length).toBeGreaterThan(3);

    const reply = await e.waitForAnswer(thread, ANSWER, 40_000);
    expect(reply.map((m) => m.markdown)).toEqual([ANSWER]);
    // The line is written once the final edit's answer is back, which may be just after the fake shows it.
    await eventually(() => e.h.logs.some((l) => l.msg === "answer delivered"), 5_000).catch(() => undefined);
    const delivered = e.h.logs.filter((l) => l.msg === "answer delivered");
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.obj).toMatchObject({ outcome: "ok" });
    expect(e.slack.rateLimitedCalls()).toHaveLength(0);
  }, 70_000);
});
