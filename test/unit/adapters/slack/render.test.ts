import { describe, expect, it } from "vitest";
import { markdownToPlainText, renderButtons, renderCitations, renderExtras, renderMessage, SLACK_LIMITS } from "../../../../adapters/slack/render.js";
import { PlatformValidationError } from "../../../../src/contracts/errors.js";

describe("renderMessage", () => {
  it("puts Dify's Markdown untouched in a markdown block, with a plain fallback", () => {
    const markdown = "# Title\n\n**Bold**, _it_, `code`, [link](https://x.dev)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```py\nprint(1)\n```";
    const out = renderMessage({ markdown });
    expect(out.blocks).toEqual([{ type: "markdown", text: markdown }]);
    expect(out.text).toBe("Title\n\nBold, _it_, code, link (https://x.dev)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nprint(1)");
  });

  it("escapes &, < and > in the fallback and keeps it under chat.update's limit", () => {
    const out = renderMessage({ markdown: `${"a & b < c > d ".repeat(600)}` });
    expect(out.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackTextChars);
    expect(out.text.length).toBeLessThan(4_000);
    expect(out.text).toMatch(/^a &amp; b &lt; c &gt; d/);
    expect(out.text).not.toMatch(/&[a-z]*…$/);
    expect(out.text.endsWith("…")).toBe(true);
  });

  it("refuses Markdown over 12,000 characters and allows exactly that", () => {
    expect(() => renderMessage({ markdown: "x".repeat(SLACK_LIMITS.markdownChars + 1) })).toThrow(PlatformValidationError);
    expect(renderMessage({ markdown: "x".repeat(SLACK_LIMITS.markdownChars) }).blocks).toHaveLength(1);
    expect(SLACK_LIMITS.maxMessageLength).toBeLessThan(SLACK_LIMITS.markdownChars);
  });

  it("renders buttons only, with their labels as the fallback", () => {
    const out = renderMessage({ markdown: "  ", buttons: [{ actionId: "retry:1", label: "Retry" }] });
    expect(out.blocks.map((b) => b.type)).toEqual(["actions"]);
    expect(out.text).toBe("Retry");
    expect(renderMessage({ markdown: "" }).text).toBe("…");
  });
});

describe("renderButtons", () => {
  it("keeps action ids, styles and caps labels and count", () => {
    const buttons = Array.from({ length: 30 }, (_, i) => ({ actionId: `a${i}`, label: `${"L".repeat(100)}${i}`, style: "primary" as const }));
    const [block] = renderButtons(buttons);
    const elements = (block as unknown as { elements: Array<{ action_id: string; value: string; style: string; text: { text: string } }> }).elements;
    expect(elements).toHaveLength(SLACK_LIMITS.buttonsPerActionsBlock);
    expect(elements[0]).toMatchObject({ action_id: "a0", value: "a0", style: "primary" });
    expect(elements[0]?.text.text.length).toBe(SLACK_LIMITS.buttonLabelChars);
    expect(renderButtons([])).toEqual([]);
  });
});

describe("renderCitations", () => {
  it("is one compact context line, escaping titles and keeping only safe links", () => {
    const [block] = renderCitations([
      { index: 1, title: "Guide | part <1>", url: "https://example.com/g" },
      { index: 2, title: "Bad link", url: "javascript:alert(1)" },
      { index: 3, title: "" },
    ]);
    expect(block).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "*Sources:* [1] <https://example.com/g|Guide ¦ part &lt;1&gt;> · [2] Bad link · [3] Source 3" }],
    });
  });

  it("stops with a count of what did not fit", () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ index: i + 1, title: `A rather long source title number ${i + 1}` }));
    const [block] = renderCitations(many);
    const text = (block as unknown as { elements: Array<{ text: string }> }).elements[0]?.text ?? "";
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.contextTextChars);
    expect(text).toMatch(/· \+\d+ more$/);
  });
});

describe("renderExtras", () => {
  it("puts sources before buttons", () => {
    const blocks = renderExtras({ citations: [{ index: 1, title: "t" }], buttons: [{ actionId: "x", label: "X" }] });
    expect(blocks.map((b) => b.type)).toEqual(["context", "actions"]);
  });
});

describe("markdownToPlainText", () => {
  it("drops markers but keeps words", () => {
    expect(markdownToPlainText("## H\n**b** ~~s~~ ![img](https://i.png) [t](https://u)")).toBe("H\nb s img t (https://u)");
  });
});
