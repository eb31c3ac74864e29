import { describe, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { contentOf, finalBotMessages, messageWrites, startDiscordE2E } from "./support.js";

/**
 * The bridge paces on budgets it declares (5 creates and edits per 5 s per channel); Discord's headers say what the
 * bucket really is. These servers run a smaller bucket than declared: only by learning it from the headers as
 * they arrive does the bridge stay clear of 429s.
 */
describe.concurrent("discord end to end: budgets learned from Discord's answers", () => {
  it("a channel bucket smaller than declared (x-ratelimit-limit 2 per 3 s) is learned from the first answer: 0 429s, progress shown, exact final", async ({
    expect,
    onTestFinished,
  }) => {
    const windowMs = 3_000;
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { fake: { rateLimits: { channelMessages: { limit: 2, windowMs } } } });
    const answer = Array.from({ length: 60 }, (_, i) => `token${i}`).join(" ");
    // About 4.5 s of streaming: enough for several edits if the declared 5 per 5 s were believed.
    dify.onChat(() => scripts.answer(answer, { chunkChars: 8, delayMs: 60 }));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> count slowly` });

    const [reply] = await eventually(() => finalBotMessages(fake, q.id), 30_000);
    expect(reply!.content).toBe(answer);
    expect(fake.rateLimitedCount).toBe(0);
    const writes = messageWrites(fake, q.id);
    expect(writes.every((w) => w.status === 200)).toBe(true);
    // The user saw the answer grow: at least one edit between the placeholder and the final text.
    const partial = writes.map(contentOf).filter((c) => c !== "" && !c.startsWith("_") && c !== answer);
    expect(partial.length).toBeGreaterThan(0);
    for (const c of partial) expect(answer.startsWith(c)).toBe(true);
  });

  it("a 429 with Retry-After on one channel's bucket holds that channel only: an answer in another channel keeps streaming", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    const answer = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    dify.onChat(() => scripts.answer(answer, { chunkChars: 5, delayMs: 50 }));
    const a = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> first` });
    const retryAfterMs = 2_500;
    // Thread a's first edit is refused for 2.5 s (not global): only thread a's budget must wait.
    fake.rateLimitNext({ method: "PATCH", path: new RegExp(`^/channels/${a.id}/messages/\\d+$`), retryAfterMs });
    const b = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> second` });

    await eventually(() => finalBotMessages(fake, a.id), 20_000);
    await eventually(() => finalBotMessages(fake, b.id), 20_000);
    const limited = messageWrites(fake, a.id).find((w) => w.status === 429)!;
    expect(limited).toBeDefined();
    // Thread b was written to while thread a waited out its Retry-After (not only a write already under way).
    const bDuring = messageWrites(fake, b.id).filter((w) => w.status === 200 && w.at > limited.at + 300 && w.at < limited.at + retryAfterMs);
    expect(bDuring.length).toBeGreaterThan(0);
    // Thread a was not.
    const aDuring = messageWrites(fake, a.id).filter((w) => w.at > limited.at && w.at < limited.at + retryAfterMs);
    expect(aDuring).toEqual([]);
    expect(fake.rateLimitedCount).toBe(1);
  });
});
