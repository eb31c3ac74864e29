import { describe, it } from "vitest";
import { chunkText, scripts } from "../../fakes/dify/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { buttonsOf, contentOf, fenceLines, finalBotMessages, messageWrites, mismatchWhenRejoined, startDiscordE2E, withoutSplitFences } from "./support.js";

/** About 5,000 characters of prose and two TypeScript blocks, long enough that both splits land inside code. */
function migrationPlan(): string {
  const sentence = (i: number) => `Step ${i} moves one more service to the new cluster and checks its health before going on.`;
  const paragraph = (from: number, n: number) => Array.from({ length: n }, (_, k) => sentence(from + k)).join(" ");
  const code = (name: string, n: number) =>
    [
      "```ts",
      ...Array.from({ length: n }, (_, k) => `const ${name}${String(k).padStart(2, "0")} = await migrate("service-${k}", { dryRun: false });`),
      "```",
    ].join("\n");
  return ["## Migration plan", paragraph(1, 8), paragraph(9, 8), code("step", 16), paragraph(30, 8), code("check", 14), paragraph(50, 11)].join("\n\n");
}

describe.concurrent("discord end to end: long answers and rate limits", () => {
  it("a 5,000-character answer with code blocks crossing the splits arrives in messages of at most 2,000 characters, fences balanced, nothing lost", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    const answer = migrationPlan();
    expect(answer.length).toBeGreaterThanOrEqual(5_000);
    dify.onChat(() => scripts.answer(answer, { chunkChars: 200, delayMs: 40 }));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> write the migration plan` });

    // While streaming, the live (last) part always carries Stop: three parts without it are the final layout.
    const parts = await eventually(() => finalBotMessages(fake, q.id, 3), 25_000);

    expect(parts).toHaveLength(3);
    const contents = parts.map((m) => m.content);
    for (const c of contents) {
      expect(c.length).toBeLessThanOrEqual(2_000);
      expect(fenceLines(c).length % 2, `balanced fences in ${JSON.stringify(c.slice(0, 40))}…`).toBe(0);
    }
    // The scenario is the hard one: both splits fell inside a code block (closed at the end, reopened as ts).
    expect(contents[0]!.endsWith("\n```")).toBe(true);
    expect(contents[1]!.startsWith("```ts\n")).toBe(true);
    expect(contents[1]!.endsWith("\n```")).toBe(true);
    expect(contents[2]!.startsWith("```ts\n")).toBe(true);
    // Rejoined without the fence lines the splits added, the parts are the answer, in order.
    expect(mismatchWhenRejoined(answer, withoutSplitFences(contents))).toBeNull();
    // Only the last part could have carried buttons; none is left.
    expect(parts.every((m) => m.components.length === 0)).toBe(true);

    // Every create and edit Discord received while streaming was within the limit with balanced fences too.
    const writes = messageWrites(fake, q.id);
    expect(writes.every((w) => w.status === 200)).toBe(true);
    for (const w of writes) {
      expect(contentOf(w).length).toBeLessThanOrEqual(2_000);
      expect(fenceLines(contentOf(w)).length % 2).toBe(0);
    }
    expect(writes.filter((w) => w.method === "POST")).toHaveLength(3);
    expect(fake.rateLimitedCount).toBe(0);
  });

  it("a long prose answer split across messages reads back byte for byte: no space or line break is lost at a cut", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    const sentence = (i: number) => `Point ${i} explains, in plain words, why the cache keeps a copy near the reader`;
    // Paragraphs and line breaks everywhere a cut could naturally land; no code, so nothing is added at a cut.
    const answer = Array.from({ length: 12 }, (_, p) =>
      Array.from({ length: 5 }, (_, k) => `${sentence(p * 5 + k)}${k % 2 === 0 ? "." : ";"}`).join(p % 2 === 0 ? " " : "\n"),
    ).join("\n\n");
    expect(answer.length).toBeGreaterThan(4_000);
    dify.onChat(() => scripts.answer(answer, { chunkChars: 300, delayMs: 30 }));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> explain the cache` });

    const parts = await eventually(() => finalBotMessages(fake, q.id, 3), 25_000);
    const contents = parts.map((m) => m.content);
    for (const c of contents) expect(c.length).toBeLessThanOrEqual(2_000);
    // What Discord stored (content with its edges trimmed, as Discord does), joined, is the answer itself.
    expect(contents.join("")).toBe(answer);
    expect(fake.rateLimitedCount).toBe(0);
  });

  it("a 429 on an edit is honoured: nothing is sent to the channel before retry_after, then coalesced edits with the latest text and the exact answer", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    const answer = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const chunks = chunkText(answer, 5);
    // Streams for about three seconds, so most of the answer arrives while the channel is blocked.
    dify.onChat(() => scripts.answer(answer, { chunkChars: 5, delayMs: 55 }));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> count for me` });
    // The first edit of the reply (its first text) gets Discord's 429.
    const retryAfterMs = 1_500;
    fake.rateLimitNext({ method: "PATCH", path: new RegExp(`^/channels/${q.id}/messages/\\d+$`), retryAfterMs });

    const [reply] = await eventually(() => finalBotMessages(fake, q.id), 20_000);
    expect(reply!.content).toBe(answer);
    expect(reply!.components).toEqual([]);

    const writes = messageWrites(fake, q.id);
    const limitedAt = writes.findIndex((w) => w.status === 429);
    expect(limitedAt).toBeGreaterThan(0);
    const limited = writes[limitedAt]!;
    expect(limited.method).toBe("PATCH");
    const later = writes.slice(limitedAt + 1);
    expect(later.length).toBeGreaterThan(0);
    // No create or edit reached the channel before the time Discord asked for.
    for (const w of later) expect(w.at - limited.at).toBeGreaterThanOrEqual(retryAfterMs);
    // Only the one 429: the bridge did not knock again while blocked.
    expect(fake.rateLimitedCount).toBe(1);
    expect(later.every((w) => w.status === 200 && w.method === "PATCH")).toBe(true);

    // Coalesced: the first edit after the wait already shows newer text than the refused one, the edits only
    // grow, and there are far fewer of them than Dify chunks.
    const texts = later.map(contentOf);
    expect(texts[0]!.length).toBeGreaterThan(contentOf(limited).length);
    for (const text of texts) expect(answer.startsWith(text)).toBe(true);
    for (let i = 1; i < texts.length; i++) expect(texts[i]!.length).toBeGreaterThanOrEqual(texts[i - 1]!.length);
    expect(texts.at(-1)).toBe(answer);
    const patches = writes.filter((w) => w.method === "PATCH");
    expect(patches.length).toBeLessThanOrEqual(6);
    expect(patches.length).toBeLessThan(chunks.length / 4);
    expect(buttonsOf(later.at(-1)!.json as { components: unknown[] })).toEqual([]);
    // What the people in the thread saw, edit by edit, is the same story.
    expect(reply!.edits.map((e) => e.content)).toEqual(texts);
  });
});
