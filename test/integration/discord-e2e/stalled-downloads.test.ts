import { describe, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { finalBotMessages, startDiscordE2E } from "./support.js";

const PDF = new TextEncoder().encode("%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n");
const NOTE = "⚠️ Not sent to the assistant: report.pdf (it could not be downloaded).";

/**
 * A stalling Discord CDN must not hold the thread. The download's deadline and idle timeout run on timers of
 * their own (an `AbortSignal.timeout` inside `AbortSignal.any` can be collected and never fire). Production
 * uses 120 s and 30 s; the tests shorten both so a run takes seconds.
 */
describe.concurrent("discord end to end: a file download that stalls", () => {
  it("a CDN trickling one byte every 200 ms (never idle) is given up at the deadline: a note, the question answered, the thread free", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { downloadTimeouts: { deadlineMs: 2_500, idleTimeoutMs: 1_500 } });
    dify.onChat((turn) => scripts.answer(`Answered "${turn.query}" with ${turn.files.length} file(s).`));
    const q = fake.users.sendMessage({
      channelId: fake.ids.general,
      content: `<@${fake.ids.bot}> summarise this`,
      // ~90 bytes at one per 200 ms would take ~18 s.
      attachments: [{ filename: "report.pdf", contentType: "application/pdf", data: PDF, trickleMs: 200 }],
    });

    const startedAt = Date.now();
    const [reply] = await eventually(() => finalBotMessages(fake, q.id), 15_000);
    expect(reply!.content).toBe(`${NOTE}\n\nAnswered "summarise this" with 0 file(s).`);
    expect(Date.now() - startedAt).toBeLessThan(12_000);
    expect(dify.uploads).toEqual([]);
    expect(fake.cdn.requests.filter((r) => r.path.endsWith("/report.pdf"))).toHaveLength(1);

    // The thread takes the next message at once: nothing is left holding it.
    const thread = reply!.channel_id;
    fake.users.sendMessage({ channelId: thread, content: "and in one line?" });
    const answers = await eventually(() => finalBotMessages(fake, thread, 2), 10_000);
    expect(answers.at(-1)!.content).toBe('Answered "and in one line?" with 0 file(s).');
  });

  it("a CDN that sends the headers and then nothing is given up after the idle timeout, with the same note", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { downloadTimeouts: { deadlineMs: 20_000, idleTimeoutMs: 1_000 } });
    dify.onChat((turn) => scripts.answer(`Answered "${turn.query}" with ${turn.files.length} file(s).`));
    const q = fake.users.sendMessage({
      channelId: fake.ids.general,
      content: `<@${fake.ids.bot}> summarise this`,
      attachments: [{ filename: "report.pdf", contentType: "application/pdf", data: PDF, trickleMs: 60_000 }],
    });

    const [reply] = await eventually(() => finalBotMessages(fake, q.id), 10_000);
    expect(reply!.content).toBe(`${NOTE}\n\nAnswered "summarise this" with 0 file(s).`);
    expect(dify.uploads).toEqual([]);
  });
});
