import { describe, expect, it } from "vitest";
import { MarkdownSplitter, splitMarkdown } from "../../../src/reply/split-markdown.js";
import { createRandom, type Random, randomMarkdown, randomProse } from "./markdown-samples.js";

/**
 * The splitter a streaming answer keeps reuses the cuts of its last text. Whatever the text grows by (or when
 * it changes instead of growing), each split must be exactly what a fresh `splitMarkdown` gives.
 */

/** Growth steps as a stream delivers them: a few characters, sometimes a burst, often ending inside a run of separators. */
function growth(r: Random, text: string): number[] {
  const ends: number[] = [];
  let at = 0;
  while (at < text.length) {
    at = Math.min(text.length, at + (r.chance(0.1) ? r.int(20, 300) : r.int(1, 6)));
    ends.push(at);
  }
  return ends;
}

/** Separators of every kind between pieces, so some growth steps end in the middle of one. */
function withSeparators(r: Random, pieces: readonly string[]): string {
  return pieces.map((p) => p + r.pick(["\n\n", "\n", " ", "   ", "\n\n\n", " \n ", "", "\n   \n"])).join("");
}

const CASES = [
  { maxChars: 40, edgesTrimmed: false },
  { maxChars: 40, edgesTrimmed: true },
  { maxChars: 120, edgesTrimmed: true },
  { maxChars: 300, edgesTrimmed: false },
  { maxChars: 1992, edgesTrimmed: true },
] as const;

describe("MarkdownSplitter", () => {
  for (const { maxChars, edgesTrimmed } of CASES) {
    it(`gives splitMarkdown's messages at every step of a growing answer (max ${maxChars}, edges trimmed: ${edgesTrimmed})`, () => {
      let cuts = 0;
      for (let seed = 1; seed <= (maxChars > 1000 ? 4 : 25); seed++) {
        const r = createRandom(seed * 7919 + maxChars);
        const pieces = Array.from({ length: r.int(3, 12) }, () =>
          r.chance(0.5) ? randomMarkdown(r, r.int(10, maxChars * 2)) : randomProse(r, r.int(10, maxChars)),
        );
        const text = withSeparators(r, pieces);
        const splitter = new MarkdownSplitter(maxChars, { edgesTrimmed });
        for (const end of growth(r, text)) {
          const prefix = text.slice(0, end);
          const expected = splitMarkdown(prefix, maxChars, { edgesTrimmed });
          expect(splitter.split(prefix), `seed ${seed}, ${end} chars`).toEqual(expected);
          cuts = Math.max(cuts, expected.length);
        }
      }
      // The answers were long enough to be cut many times over.
      expect(cuts).toBeGreaterThan(3);
    });
  }

  it("gives splitMarkdown's messages when the text changes instead of growing (a replaced answer, a link held back)", () => {
    const r = createRandom(42);
    const splitter = new MarkdownSplitter(60, { edgesTrimmed: true });
    let text = "";
    for (let step = 0; step < 400; step++) {
      if (r.chance(0.1)) text = text.slice(0, r.int(0, text.length));
      else if (r.chance(0.05)) text = randomMarkdown(r, r.int(10, 400));
      else text += r.pick([" word", ".", "\n", "\n\n", "```ts\n", "\n```\n", "你好。", "😀", "   ", "**bold**"]);
      expect(splitter.split(text), `step ${step}`).toEqual(splitMarkdown(text, 60, { edgesTrimmed: true }));
    }
  });

  it("redoes a cut whose separator ran to the end of the last text", () => {
    // The first message ends at a paragraph break; the blank lines after it were still arriving.
    const splitter = new MarkdownSplitter(20, {});
    const head = `aaaa bbbb${"\n".repeat(12)}`;
    expect(splitter.split(head)).toEqual(["aaaa bbbb"]);
    const grown = `${head}\n \n cccc`;
    expect(splitter.split(grown)).toEqual(splitMarkdown(grown, 20));
    expect(splitter.split(grown)).toEqual(["aaaa bbbb", "cccc"]);
  });

  it("refuses a message length too small to split Markdown, as splitMarkdown does", () => {
    expect(() => new MarkdownSplitter(15)).toThrow(RangeError);
  });
});
