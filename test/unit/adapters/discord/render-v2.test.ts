import { describe, expect, it } from "vitest";
import { DISCORD_LIMITS } from "../../../../adapters/discord/limits.js";
import { COMPONENTS_V2_ANSWER_LENGTH, renderComponentsV2 } from "../../../../adapters/discord/render-v2.js";
import { type MessageBody, validateMessageBody } from "../../../fakes/discord/message-validation.js";

type Node = { type: number; content?: string; components?: Node[] };
const all = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...all(n.components ?? [])]);
const textLength = (components: unknown[]) =>
  all(components as Node[])
    .filter((n) => n.type === 10)
    .reduce((sum, n) => sum + (n.content ?? "").length, 0);

const citations = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    index: i + 1,
    title: `A rather long document title number ${i + 1}`,
    url: `https://docs.example.com/articles/${i + 1}`,
  }));
const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ actionId: `suggest:${i}`, label: `Suggestion ${i}` }));

/** What the fake Discord (modelled on Discord's documented limits) says about the body: null when accepted. */
const verdict = (body: unknown) => validateMessageBody(body as MessageBody, 0, false);

describe("renderComponentsV2", () => {
  it("a full-length answer part with many sources stays within 4,000 characters: the sources get what is left", () => {
    const { body, warnings } = renderComponentsV2({ markdown: "x".repeat(COMPONENTS_V2_ANSWER_LENGTH), citations: citations(30) });
    expect(textLength(body.components)).toBeLessThanOrEqual(4_000);
    const sources = all(body.components as Node[]).filter((n) => n.type === 10)[1]?.content ?? "";
    expect(sources.startsWith("**Sources**\n1. [A rather long document title number 1]")).toBe(true);
    expect(sources).toMatch(/…and \d+ more$/);
    expect(warnings).toEqual([]);
    expect(verdict(body)).toBeNull();
  });

  it("25 buttons with sources stay within 40 components; no content or embeds, the V2 flag set", () => {
    const { body } = renderComponentsV2({ markdown: "Answer", citations: citations(2), buttons: buttons(25) });
    expect(all(body.components as Node[]).length).toBeLessThanOrEqual(DISCORD_LIMITS.componentsV2Total);
    expect(body.flags).toBe(1 << 15);
    expect(body).not.toHaveProperty("content");
    expect(body).not.toHaveProperty("embeds");
    expect(verdict(body)).toBeNull();
  });

  it("an over-long text is cut (and reported) rather than rejected; an empty one shows an ellipsis", () => {
    const long = renderComponentsV2({ markdown: "y".repeat(5_000), citations: citations(3) });
    expect(textLength(long.body.components)).toBeLessThanOrEqual(4_000);
    expect(long.warnings.length).toBeGreaterThan(0);
    expect(verdict(long.body)).toBeNull();
    const empty = renderComponentsV2({ markdown: "  " });
    expect(empty.body.components).toEqual([{ type: 10, content: "…" }]);
    expect(verdict(empty.body)).toBeNull();
  });
});
