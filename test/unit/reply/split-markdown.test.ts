import { describe, expect, it } from "vitest";
import { closeOpenFence, splitMarkdown } from "../../../src/reply/split-markdown.js";
import { alignParts, createRandom, fenceStateAfter, hasLoneSurrogate, type Random, randomMarkdown, randomProse, slicePairs } from "./markdown-samples.js";

type Alignment = NonNullable<ReturnType<typeof alignParts>>;

/** Every property a split must have, for a text whose own fences are all closed. */
function expectValidSplit(text: string, maxChars: number): { parts: string[]; alignment: Alignment } {
  const parts = splitMarkdown(text, maxChars);
  const context = `maxChars=${maxChars} text=${JSON.stringify(text.slice(0, 120))}…`;
  expect(parts.length, context).toBeGreaterThan(0);
  for (const [i, part] of parts.entries()) {
    expect(part.length, `${context} part ${i} too long`).toBeLessThanOrEqual(maxChars);
    expect(fenceStateAfter(part), `${context} part ${i} leaves a fence open: ${JSON.stringify(part.slice(-80))}`).toBeNull();
    expect(hasLoneSurrogate(part), `${context} part ${i} splits a surrogate pair`).toBe(false);
    if (text.trim() !== "") expect(part.trim(), `${context} part ${i} is blank`).not.toBe("");
  }
  if (text.length <= maxChars) expect(parts).toEqual([text]);
  const alignment = alignParts(text, parts);
  expect(alignment, `${context} parts do not read back as the original`).not.toBeNull();
  return { parts, alignment: alignment as Alignment };
}

const RANK = { hard: 0, word: 1, sentence: 2, line: 3, paragraph: 4 } as const;
type Boundary = keyof typeof RANK;

function seamKind(text: string, partEnd: number, nextStart: number): Boundary {
  const dropped = text.slice(partEnd, nextStart);
  if (dropped.includes("\n\n")) return "paragraph";
  if (dropped.includes("\n")) return "line";
  const last = text[partEnd - 1] ?? "";
  if (/[。！？]/.test(last) || (/[.!?]/.test(last) && dropped !== "")) return "sentence";
  return dropped === "" ? "hard" : "word";
}

/** The best boundary that starts in [from, to): the region surely inside the second half of a part's window. */
function bestBoundaryIn(text: string, from: number, to: number): Boundary {
  const region = text.slice(0, to);
  const found = (re: RegExp, offset: number) => [...region.matchAll(re)].some((m) => (m.index ?? 0) + offset >= from);
  if (found(/\n\n/g, 0)) return "paragraph";
  if (found(/\n/g, 0)) return "line";
  if (found(/[.!?](?=\s)|[。！？]/g, 1)) return "sentence";
  if (found(/\s/g, 0)) return "word";
  return "hard";
}

function expectNaturalSeams(text: string, maxChars: number, alignment: Alignment): number {
  let checked = 0;
  for (let i = 0; i + 1 < alignment.length; i++) {
    const a = alignment[i] as Alignment[number];
    const b = alignment[i + 1] as Alignment[number];
    if (a.reopened || a.closed || /`{3}|~{3}/.test(text.slice(a.start, a.start + maxChars))) continue;
    const best = bestBoundaryIn(text, a.start + Math.ceil(maxChars / 2), a.start + maxChars - 16);
    const got = seamKind(text, a.end, b.start);
    expect(RANK[got], `seam after part ${i} is a ${got} break although a ${best} break was available`).toBeGreaterThanOrEqual(RANK[best]);
    checked++;
  }
  return checked;
}

function codeBlock(lang: string, lines: number, lineOf: (i: number) => string): string {
  return [`\`\`\`${lang}`, ...Array.from({ length: lines }, (_, i) => lineOf(i)), "```"].join("\n");
}

describe("splitMarkdown", () => {
  it("returns a text that fits as one part, unchanged, up to exactly the limit", () => {
    const exact = "a".repeat(50);
    expect(splitMarkdown(exact, 50)).toEqual([exact]);
    expect(splitMarkdown("Hello **world**\n\n```ts\nconst x = 1;\n```", 200)).toEqual(["Hello **world**\n\n```ts\nconst x = 1;\n```"]);
  });

  it("splits a text one character over the limit", () => {
    const text = `${"word ".repeat(9)}words`; // 50 characters
    const { parts } = expectValidSplit(`${text}!`, 50);
    expect(parts.length).toBe(2);
  });

  it("refuses a limit too small to hold a fence", () => {
    expect(() => splitMarkdown("anything", 15)).toThrow(RangeError);
  });

  it("prefers a paragraph break to a line break, a line break to a sentence end, a sentence end to a space", () => {
    const para = `${"a".repeat(60)}\n\n${"b".repeat(10)}\n${"c".repeat(5)}. ${"d".repeat(5)} ${"e".repeat(30)}`;
    expect(splitMarkdown(para, 100)[0]).toBe("a".repeat(60));

    const line = `${"a".repeat(30)} ${"b".repeat(29)}\n${"c".repeat(5)}. ${"d".repeat(5)} ${"e".repeat(30)}`;
    expect(splitMarkdown(line, 100)[0]).toBe(`${"a".repeat(30)} ${"b".repeat(29)}`);

    const sentence = `${"a".repeat(30)} ${"b".repeat(29)}. ${"d".repeat(5)} ${"e".repeat(40)}`;
    expect(splitMarkdown(sentence, 100)[0]).toBe(`${"a".repeat(30)} ${"b".repeat(29)}.`);

    const word = `${"a".repeat(30)} ${"b".repeat(29)} ${"d".repeat(5)} ${"e".repeat(40)}`;
    expect(splitMarkdown(word, 100)[0]).toBe(`${"a".repeat(30)} ${"b".repeat(29)} ${"d".repeat(5)}`);
  });

  it("ignores a natural boundary in the first half of the window and cuts the long word instead", () => {
    const text = `${"a".repeat(10)}\n\n${"b".repeat(200)}`;
    const { parts } = expectValidSplit(text, 100);
    expect(parts[0]?.startsWith(`${"a".repeat(10)}\n\n${"b".repeat(50)}`)).toBe(true);
  });

  it("ends a part at a CJK sentence end when Chinese text has no spaces", () => {
    const sentence = "回答会被拆分成多条消息。"; // 12 characters
    const text = sentence.repeat(20);
    const { parts } = expectValidSplit(text, 100);
    for (const part of parts) expect(part.endsWith("。"), part).toBe(true);
    expect(parts.join("")).toBe(text);
  });

  it("never cuts an emoji in half, even in a run of emoji with no spaces", () => {
    for (const max of [16, 17, 40, 41, 99, 100]) {
      const text = "😀🎉🚀".repeat(60);
      const { parts } = expectValidSplit(text, max);
      expect(parts.join("")).toBe(text);
    }
  });

  it("closes a code fence at the end of a part and reopens it with its info string in the next", () => {
    const text = `Intro.\n\n${codeBlock("python", 40, (i) => `print(${i})  # line ${i}`)}\n\nDone.`;
    const { parts } = expectValidSplit(text, 300);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts[0]?.endsWith("\n```")).toBe(true);
    expect(parts[1]?.startsWith("```python\n")).toBe(true);
    expect(parts.at(-1)?.endsWith("Done.")).toBe(true);
  });

  it("keeps tilde fences and their info strings, and closes with the opening marker", () => {
    const text = `~~~~ yaml title="config"\n${Array.from({ length: 30 }, (_, i) => `key${i}: value ${i}`).join("\n")}\n~~~~~\nAfter.`;
    const { parts } = expectValidSplit(text, 120);
    expect(parts[0]?.endsWith("\n~~~~")).toBe(true);
    expect(parts[1]?.startsWith('~~~~ yaml title="config"\n')).toBe(true);
  });

  it("treats a shorter or annotated fence line inside a longer fence as content", () => {
    const inner = ["```js", "console.log(1);", "```", "~~~", "text", "~~~"];
    const text = ["````md", ...Array.from({ length: 12 }, () => inner).flat(), "````", "", "The end."].join("\n");
    const { parts } = expectValidSplit(text, 100);
    for (const part of parts.slice(1, -1)) expect(part.startsWith("````md\n")).toBe(true);
    for (const part of parts.slice(0, -1)) expect(part.endsWith("\n````")).toBe(true);
  });

  it("handles a fence that opens right at the end of the window", () => {
    for (let lead = 60; lead <= 100; lead++) {
      const text = `${"x".repeat(lead)}\n\`\`\`ts\n${Array.from({ length: 10 }, (_, i) => `const v${i} = ${i};`).join("\n")}\n\`\`\`\nafter`;
      expectValidSplit(text, 100);
    }
  });

  it("keeps every part within the limit for a fence with a long marker", () => {
    const marker = "`".repeat(10);
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i} ${"of the block ".repeat(i % 9)}`);
    const text = `Before.\n${marker}text\n${lines.join("\n")}\n${marker}\nAfter.`;
    for (const max of [60, 80, 100, 101]) {
      const { parts } = expectValidSplit(text, max);
      for (const part of parts.slice(0, -1)) expect(part.endsWith(`\n${marker}`)).toBe(true);
    }
  });

  it("reopens a fence whose opening line would fill half a message by its marker alone", () => {
    const open = `\`\`\`${"x".repeat(40)}`;
    const text = `${open}\n${Array.from({ length: 20 }, (_, i) => `code line ${i}`).join("\n")}\n\`\`\``;
    const parts = splitMarkdown(text, 60);
    expect(parts[0]?.startsWith(`${open}\n`)).toBe(true);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(60);
      expect(fenceStateAfter(part)).toBeNull();
    }
    for (const part of parts.slice(1)) expect(part.startsWith("```\ncode line")).toBe(true);
    expect(parts.map((p, i) => p.replace(i === 0 ? /\n```$/ : /^```\n|\n```$/g, "")).join("\n")).toBe(text.replace(/\n```$/, ""));
  });

  it("never produces a blank part from trailing whitespace", () => {
    for (const max of [16, 20, 40]) {
      expectValidSplit(`hello world${"\n".repeat(30)}`, max);
      expectValidSplit(`${"hello ".repeat(10)}${" ".repeat(40)}`, max);
      expectValidSplit(`\`\`\`\n${"code\n".repeat(10)}\`\`\`${"\n".repeat(30)}`, Math.max(max, 30));
    }
  });

  it("splits a 5,000-character answer whose code block crosses the 2,000 limit", () => {
    const r = createRandom(5000);
    const before = slicePairs(randomProse(r, 1_700), 1_700).trimEnd();
    const code = codeBlock("typescript", 40, (i) => `export const value${i} = compute(${i}, "${"x".repeat(i % 17)}");`);
    let text = `${before}\n\n${code}\n\n`;
    text += slicePairs(randomProse(r, 5_000 - text.length), 5_000 - text.length).trimEnd();
    text = text.padEnd(5_000, ".");
    expect(text.length).toBe(5_000);
    expect(text.indexOf("```typescript")).toBeLessThan(2_000);
    expect(text.lastIndexOf("```")).toBeGreaterThan(2_000);

    const { parts, alignment } = expectValidSplit(text, 2_000);
    expect(parts.length).toBe(3);
    expect(parts[0]).toMatch(/\n```$/);
    expect(parts[1]).toMatch(/^```typescript\n/);
    expect(alignment[1]?.reopened).toBe(true);
    // The code is cut between two lines.
    expect(parts[0]?.split("\n").at(-2)).toMatch(/^export const value\d+ = compute\(\d+, "x*"\);$/);
    expect(parts[1]?.split("\n")[1]).toMatch(/^export const value\d+ = compute\(\d+, "x*"\);$/);
  });

  describe("on generated answers", () => {
    const LIMITS = [40, 57, 100, 160, 333, 500, 2_000];

    it("keeps the limit, balanced fences, whole surrogate pairs and every character, in order", () => {
      let splits = 0;
      for (let seed = 1; seed <= 400; seed++) {
        const r = createRandom(seed);
        const max = r.pick([16, 24, ...LIMITS]);
        const text = randomMarkdown(r, r.int(max / 2, max * 6));
        const { parts } = expectValidSplit(text, max);
        if (parts.length > 1) splits++;
      }
      expect(splits).toBeGreaterThan(300);
    });

    it("cuts prose at the most natural boundary in the second half of the window", () => {
      let seams = 0;
      for (let seed = 1; seed <= 200; seed++) {
        const r = createRandom(seed * 7919);
        const max = r.pick(LIMITS);
        const text = r.chance(0.5) ? randomProse(r, max * 5) : randomMarkdown(r, max * 5);
        const { alignment } = expectValidSplit(text, max);
        seams += expectNaturalSeams(text, max, alignment);
      }
      expect(seams).toBeGreaterThan(300);
    });

    it("is prefix-stable: a part followed by another never changes as the text grows", () => {
      const check = (r: Random, max: number, length: number, stride: number) => {
        const full = randomMarkdown(r, length);
        const finalParts = splitMarkdown(full, max);
        let frozenSeen = 0;
        for (let n = max + 1; n <= full.length; n += stride) {
          const parts = splitMarkdown(full.slice(0, n), max);
          const frozen = parts.slice(0, -1);
          expect(frozen, `prefix of ${n} characters`).toEqual(finalParts.slice(0, frozen.length));
          frozenSeen += frozen.length;
        }
        return frozenSeen;
      };
      let frozen = 0;
      for (let seed = 1; seed <= 12; seed++) frozen += check(createRandom(seed * 31), 100, 900, 1);
      for (let seed = 1; seed <= 6; seed++) frozen += check(createRandom(seed * 17), 24, 400, 1);
      for (let seed = 1; seed <= 6; seed++) frozen += check(createRandom(seed * 131), createRandom(seed).pick([57, 160, 333]), 2_500, 3);
      frozen += check(createRandom(2024), 2_000, 9_000, 7);
      expect(frozen).toBeGreaterThan(1_000);
    });
  });
});

describe("closeOpenFence", () => {
  it("leaves text with no open fence unchanged", () => {
    expect(closeOpenFence("plain *text*")).toBe("plain *text*");
    expect(closeOpenFence("```ts\nx\n```\nafter")).toBe("```ts\nx\n```\nafter");
  });

  it("closes an open fence with its own marker", () => {
    expect(closeOpenFence("Look:\n```ts\nconst x")).toBe("Look:\n```ts\nconst x\n```");
    expect(closeOpenFence("Look:\n~~~~\nline\n")).toBe("Look:\n~~~~\nline\n~~~~");
    expect(closeOpenFence("````md\n```js\ninner\n```\n")).toBe("````md\n```js\ninner\n```\n````");
  });

  it("makes every streamed prefix of a generated answer render with balanced fences", () => {
    const r = createRandom(77);
    const text = randomMarkdown(r, 3_000);
    for (let n = 0; n <= text.length; n++) {
      const closed = closeOpenFence(text.slice(0, n));
      expect(closed.startsWith(text.slice(0, n))).toBe(true);
      expect(fenceStateAfter(closed), `prefix ${n}`).toBeNull();
    }
  });
});

describe("splitMarkdown for a platform that trims message edges", () => {
  const trimmed = (text: string, max: number) => splitMarkdown(text, max, { edgesTrimmed: true });

  it("cuts between two visible characters, so the parts joined are the text byte for byte", () => {
    let splits = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const r = createRandom(seed * 104729);
      const max = r.pick([40, 57, 100, 160, 333, 2_000]);
      const text = randomProse(r, r.int(max, max * 6)).trim();
      const parts = trimmed(text, max);
      const context = `seed=${seed} max=${max}`;
      expect(parts.join(""), context).toBe(text);
      for (const part of parts) {
        expect(part.length, context).toBeLessThanOrEqual(max);
        // What Discord stores (content trimmed) is what was sent: nothing at the edges to lose.
        expect(part.trim(), context).toBe(part);
        expect(hasLoneSurrogate(part), context).toBe(false);
      }
      if (parts.length > 1) splits++;
    }
    expect(splits).toBeGreaterThan(250);
  });

  it("prefers a sentence's end, cutting before its full stop so no word is broken", () => {
    const text = `${"word ".repeat(12)}ends here. ${"next ".repeat(12)}`.trim();
    const parts = trimmed(text, 80);
    expect(parts[0]).toMatch(/ends here$/);
    expect(parts[1]).toMatch(/^\. next/);
    expect(parts.join("")).toBe(text);
  });

  it("cuts inside a word when the window has no punctuation, never between two Markdown markers", () => {
    const text = `${"alpha **beta** ".repeat(10)}`.trim();
    const parts = trimmed(text, 40);
    expect(parts.join("")).toBe(text);
    for (let i = 0; i + 1 < parts.length; i++) {
      const seam = `${parts[i]?.at(-1)}${parts[i + 1]?.[0]}`;
      expect(seam).not.toBe("**");
      expect(seam).not.toMatch(/\s/);
    }
  });

  it("keeps fences valid (closed and reopened) in code, where the text cannot stay byte-exact", () => {
    const text = `Intro.\n\n${codeBlock("ts", 40, (i) => `const v${i} = ${i};`)}\n\nDone.`;
    const parts = trimmed(text, 200);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(200);
      expect(fenceStateAfter(part)).toBeNull();
    }
    expect(alignParts(text, parts)).not.toBeNull();
  });

  it("is prefix-stable as the text grows", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const r = createRandom(seed * 613);
      const full = randomProse(r, 1_200).trim();
      const finalParts = trimmed(full, 100);
      for (let n = 101; n <= full.length; n += 2) {
        const frozen = trimmed(full.slice(0, n), 100).slice(0, -1);
        expect(frozen, `seed ${seed}, prefix of ${n}`).toEqual(finalParts.slice(0, frozen.length));
      }
    }
  });
});
