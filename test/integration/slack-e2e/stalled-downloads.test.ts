import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { SlackE2E } from "./slack-e2e-harness.js";

const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj <</Type/Pages/Kids[]/Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n",
);

/**
 * A Slack file host that stalls must not hold the thread: every download has an overall deadline and an idle
 * timeout on timers of its own. Production uses 120 s and 30 s; the tests shorten both so a run takes seconds.
 */
describe("Slack end to end: a file download that stalls", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  const NOTE = "⚠️ Not sent to the assistant: report.pdf (it could not be downloaded).";

  it("a host trickling one byte every 200 ms (never idle) is given up at the deadline: a short note, the question answered, the thread free for the next message", async () => {
    e = await SlackE2E.start({ downloadTimeouts: { deadlineMs: 2_500, idleTimeoutMs: 1_500 } });
    e.dify.onChat((turn) => scripts.answer(`Answered "${turn.query}" with ${turn.files.length} file(s).`));
    // 128 bytes at one per 200 ms would take ~26 s: far past the deadline, never silent as long as the idle timeout.
    const slow = e.slack.hostFile({ name: "report.pdf", mimetype: "application/pdf", data: PDF, trickleMs: 200 });

    const startedAt = Date.now();
    const q = await e.mention({ text: "Summarise this", files: [slow] });
    const [reply] = await e.waitForAnswer(q, /Answered/, 12_000);
    const tookMs = Date.now() - startedAt;
    expect(reply?.markdown).toBe(`${NOTE}\n\nAnswered "Summarise this" with 0 file(s).`);
    expect(e.dify.uploads).toEqual([]);
    // Given up at the deadline, not when the trickle would have ended.
    expect(tookMs).toBeLessThan(12_000);
    expect(e.slack.fileRequests).toHaveLength(1);

    // The next message in the same thread is answered: nothing is left holding the thread.
    const next = await e.threadReply(q, { text: "And the summary in one line?" });
    await e.waitForAnswer(next, /Answered "And the summary in one line\?" with 0 file\(s\)\./, 12_000);
  }, 40_000);

  it("a host that sends the headers and then nothing is given up after the idle timeout, with the same note", async () => {
    e = await SlackE2E.start({ downloadTimeouts: { deadlineMs: 20_000, idleTimeoutMs: 1_000 } });
    e.dify.onChat((turn) => scripts.answer(`Answered "${turn.query}" with ${turn.files.length} file(s).`));
    // The first byte would come after a minute.
    const silent = e.slack.hostFile({ name: "report.pdf", mimetype: "application/pdf", data: PDF, trickleMs: 60_000 });

    const q = await e.mention({ text: "Summarise this", files: [silent] });
    const [reply] = await e.waitForAnswer(q, /Answered/, 10_000);
    expect(reply?.markdown).toBe(`${NOTE}\n\nAnswered "Summarise this" with 0 file(s).`);
    expect(e.dify.uploads).toEqual([]);
  }, 30_000);
});
