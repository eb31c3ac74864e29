import { describe, expect, it } from "vitest";
import type { ActionButton, Citation } from "../../../src/contracts/messages.js";
import { finalLayout, sameContent, streamingLayout, THINKING_TEXT } from "../../../src/reply/reply-layout.js";
import { createRandom, fenceStateAfter, hasLoneSurrogate, randomMarkdown } from "./markdown-samples.js";

const STOP: ActionButton = { actionId: "db|s|turn-1", label: "Stop", style: "danger" };
const RETRY: ActionButton = { actionId: "db|r|turn-1", label: "Retry" };
const CITATIONS: Citation[] = [{ index: 1, title: "vacation.md", snippet: "Twenty days." }];

describe("streamingLayout", () => {
  it("shows the Thinking placeholder with the Stop button before any text", () => {
    expect(streamingLayout({ text: "" }, { maxChars: 2_000, stopButton: STOP })).toEqual([{ markdown: THINKING_TEXT, buttons: [STOP] }]);
    expect(streamingLayout({ text: "  \n" }, { maxChars: 2_000 })).toEqual([{ markdown: THINKING_TEXT, buttons: [] }]);
  });

  it("shows the progress line, in italics, while there is no text", () => {
    expect(streamingLayout({ text: "", status: "Searching the knowledge base…" }, { maxChars: 2_000, stopButton: STOP })).toEqual([
      { markdown: "_Searching the knowledge base…_", buttons: [STOP] },
    ]);
  });

  it("shows the text instead of the progress line once there is some", () => {
    expect(streamingLayout({ text: "Hello", status: "Thinking…" }, { maxChars: 2_000, stopButton: STOP })).toEqual([{ markdown: "Hello", buttons: [STOP] }]);
  });

  it("puts the Stop button on the last part only", () => {
    const text = randomMarkdown(createRandom(3), 6_000);
    const layout = streamingLayout({ text }, { maxChars: 2_000, stopButton: STOP });
    expect(layout.length).toBeGreaterThan(2);
    expect(layout.map((m) => m.buttons)).toEqual([...layout.slice(1).map(() => []), [STOP]]);
  });

  it("closes a code fence still open in the preview", () => {
    const layout = streamingLayout({ text: "Here:\n```python\nprint(1)" }, { maxChars: 2_000 });
    expect(layout).toEqual([{ markdown: "Here:\n```python\nprint(1)\n```", buttons: [] }]);
  });

  it("keeps the preview within the limit when closing a fence with a long marker", () => {
    const marker = "`".repeat(12);
    for (let n = 60; n <= 200; n++) {
      const text = `${marker}\n${"x😀".repeat(n)}`;
      const layout = streamingLayout({ text }, { maxChars: 100, stopButton: STOP });
      for (const m of layout) {
        expect(m.markdown.length, `${n}`).toBeLessThanOrEqual(100);
        expect(fenceStateAfter(m.markdown), `${n}`).toBeNull();
        expect(hasLoneSurrogate(m.markdown), `${n}`).toBe(false);
      }
      expect(layout.at(-1)?.markdown.endsWith(`\n${marker}`)).toBe(true);
    }
  });

  it("keeps every message within the platform limit, preview fence included, with balanced fences", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = createRandom(seed);
      const max = r.pick([100, 500, 2_000, 4_000]);
      const text = randomMarkdown(r, max * 4);
      for (let n = 1; n <= text.length; n += r.int(1, 97)) {
        for (const m of streamingLayout({ text: text.slice(0, n) }, { maxChars: max, stopButton: STOP })) {
          expect(m.markdown.length).toBeLessThanOrEqual(max);
          expect(fenceStateAfter(m.markdown)).toBeNull();
        }
      }
    }
  });

  it("freezes parts exactly as the final layout will show them", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = createRandom(seed * 101);
      const max = r.pick([100, 333, 2_000]);
      const text = randomMarkdown(r, max * 5);
      const final = finalLayout({ text, buttons: [RETRY], citations: CITATIONS }, { maxChars: max });
      // Same text: every part but the live last one is already final.
      const same = streamingLayout({ text }, { maxChars: max, stopButton: STOP });
      expect(same.slice(0, -1)).toEqual(final.slice(0, same.length - 1));
      // Any earlier moment of the stream: frozen parts never change afterwards.
      for (let n = 1; n < text.length; n += r.int(1, 53)) {
        const frozen = streamingLayout({ text: text.slice(0, n) }, { maxChars: max, stopButton: STOP }).slice(0, -1);
        expect(frozen, `prefix ${n}`).toEqual(final.slice(0, frozen.length));
      }
    }
  });
});

describe("finalLayout", () => {
  it("puts buttons and citations on the last part only", () => {
    const text = randomMarkdown(createRandom(9), 5_000);
    const layout = finalLayout({ text, buttons: [RETRY], citations: CITATIONS }, { maxChars: 2_000 });
    expect(layout.length).toBeGreaterThan(2);
    for (const m of layout.slice(0, -1)) expect(m).toEqual({ markdown: m.markdown, buttons: [] });
    expect(layout.at(-1)).toEqual({ markdown: layout.at(-1)?.markdown, buttons: [RETRY], citations: CITATIONS });
  });

  it("leaves citations off when there are none and buttons empty when none are given", () => {
    expect(finalLayout({ text: "Done.", citations: [] }, { maxChars: 2_000 })).toEqual([{ markdown: "Done.", buttons: [] }]);
  });

  it("keeps every part within the limit", () => {
    const text = randomMarkdown(createRandom(10), 9_000);
    for (const m of finalLayout({ text }, { maxChars: 2_000 })) expect(m.markdown.length).toBeLessThanOrEqual(2_000);
  });

  it("says the answer was empty rather than sending an empty message", () => {
    for (const text of ["", "  \n\t"]) {
      expect(finalLayout({ text, buttons: [RETRY] }, { maxChars: 2_000 })).toEqual([
        { markdown: "⚠️ The assistant returned an empty answer.", buttons: [RETRY] },
      ]);
    }
  });
});

describe("sameContent", () => {
  const base = { markdown: "Hi", buttons: [STOP], citations: CITATIONS };

  it("is true for equal content, however it was built", () => {
    expect(sameContent(base, { markdown: "Hi", buttons: [{ ...STOP }], citations: [{ ...CITATIONS[0] } as Citation] })).toBe(true);
    expect(sameContent({ markdown: "Hi" }, { markdown: "Hi", buttons: [], citations: [] })).toBe(true);
    expect(sameContent(undefined, undefined)).toBe(true);
  });

  it("is false when the text, a button or the citations differ", () => {
    expect(sameContent(base, { ...base, markdown: "Hi!" })).toBe(false);
    expect(sameContent(base, { ...base, buttons: [] })).toBe(false);
    expect(sameContent(base, { ...base, buttons: [{ ...STOP, label: "Halt" }] })).toBe(false);
    expect(sameContent(base, { ...base, buttons: [{ ...STOP, actionId: "db|s|turn-2" }] })).toBe(false);
    expect(sameContent(base, { ...base, citations: [] })).toBe(false);
    expect(sameContent(base, undefined)).toBe(false);
  });
});
