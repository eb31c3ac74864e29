import { ButtonStyle, ComponentType } from "discord.js";
import { describe, expect, it } from "vitest";
import { fitContent, renderMessage, toDiscordMarkdown } from "../../../../adapters/discord/render.js";

describe("renderMessage", () => {
  it("never lets answers ping anyone and always sends components and embeds (so edits clear old buttons)", () => {
    const { body, warnings } = renderMessage({ markdown: "Hello @everyone" });
    expect(body).toEqual({ content: "Hello @everyone", components: [], embeds: [], allowed_mentions: { parse: [], replied_user: false } });
    expect(warnings).toEqual([]);
  });

  it("puts buttons in rows of five with their styles", () => {
    const buttons = Array.from({ length: 7 }, (_, i) => ({ actionId: `q:${i}`, label: `Question ${i}` }));
    const { body } = renderMessage({
      markdown: "x",
      buttons: [{ actionId: "stop", label: "Stop", style: "danger" }, ...buttons, { actionId: "go", label: "Go", style: "primary" }],
    });
    expect(body.components.map((r) => r.components.length)).toEqual([5, 4]);
    expect(body.components.every((r) => r.type === ComponentType.ActionRow)).toBe(true);
    const flat = body.components.flatMap((r) => r.components);
    expect(flat[0]).toEqual({ type: ComponentType.Button, custom_id: "stop", label: "Stop", style: ButtonStyle.Danger });
    expect(flat[1]?.style).toBe(ButtonStyle.Secondary);
    expect(flat.at(-1)?.style).toBe(ButtonStyle.Primary);
  });

  it("drops buttons Discord would reject and reports why", () => {
    const many = Array.from({ length: 27 }, (_, i) => ({ actionId: `b${i}`, label: "x".repeat(90) }));
    const { body, warnings } = renderMessage({
      markdown: "x",
      buttons: [{ actionId: "a".repeat(101), label: "too long id" }, { actionId: "b0", label: "dup" }, ...many],
    });
    const flat = body.components.flatMap((r) => r.components);
    expect(body.components).toHaveLength(5);
    expect(flat).toHaveLength(25);
    expect(new Set(flat.map((b) => b.custom_id)).size).toBe(25);
    expect(flat.every((b) => [...(b.label ?? "")].length <= 80)).toBe(true);
    expect(warnings.join("\n")).toMatch(/custom_id must be 1-100/);
    expect(warnings.join("\n")).toMatch(/duplicate custom_id/);
    expect(warnings.join("\n")).toMatch(/2 button\(s\) dropped: at most 25/);
  });

  it("renders citations as a Sources embed, outside the 2,000 characters of content", () => {
    const { body } = renderMessage({
      markdown: "a".repeat(2000),
      citations: [
        { index: 1, title: "Setup [guide]", url: "https://docs.example.com/setup (v2)" },
        { index: 2, title: "Internal wiki" },
        { index: 3, title: "Bad scheme", url: "javascript:alert(1)" },
      ],
    });
    expect(body.content).toHaveLength(2000);
    expect(body.embeds).toEqual([
      { title: "Sources", description: "1. [Setup guide](https://docs.example.com/setup%20%28v2%29)\n2. Internal wiki\n3. Bad scheme" },
    ]);
  });

  it("keeps the Sources embed within 4,096 characters however many citations come", () => {
    const citations = Array.from({ length: 200 }, (_, i) => ({ index: i + 1, title: "t".repeat(150), url: `https://example.com/${i}` }));
    const description = renderMessage({ markdown: "x", citations }).body.embeds[0]?.description ?? "";
    expect(description.length).toBeLessThanOrEqual(4096);
    expect(description).toMatch(/…and \d+ more$/);
  });

  it("sends a visible placeholder instead of an empty message", () => {
    expect(renderMessage({ markdown: "  " }).body.content).toBe("…");
    expect(renderMessage({ markdown: "", buttons: [{ actionId: "s", label: "Stop" }] }).body.content).toBe("");
  });
});

describe("the 2,000-character guard", () => {
  it("passes exactly 2,000 characters and cuts anything longer, with a warning", () => {
    const warnings: string[] = [];
    expect(fitContent("a".repeat(2000), warnings)).toHaveLength(2000);
    expect(warnings).toEqual([]);
    const cut = fitContent("a".repeat(2500), warnings);
    expect(cut).toHaveLength(2000);
    expect(cut.endsWith("…")).toBe(true);
    expect(warnings).toEqual(["content of 2500 characters cut to 2000"]);
  });

  it("never splits a surrogate pair", () => {
    const text = `${"a".repeat(1998)}😀😀😀`;
    const cut = fitContent(text, []);
    expect(cut.length).toBeLessThanOrEqual(2000);
    expect(cut).toBe(`${"a".repeat(1998)}…`);
  });
});

describe("toDiscordMarkdown", () => {
  it("turns images into links and small headings into bold, leaving code alone", () => {
    const md = "#### Notes\n![chart](https://x.test/c.png)\n```md\n#### keep\n![keep](u)\n```";
    expect(toDiscordMarkdown(md)).toBe("**Notes**\n[chart](https://x.test/c.png)\n```md\n#### keep\n![keep](u)\n```");
  });

  it("never makes text longer", () => {
    const md = "##### h\n![](https://x.test/i.png) text";
    expect(toDiscordMarkdown(md)).toBe("**h**\nhttps://x.test/i.png text");
  });
});
