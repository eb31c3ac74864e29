import { describe, expect, it } from "vitest";
import { neutralizeMassMentions } from "../../../../adapters/slack/mass-mentions.js";

const MASS_MENTION = /<!(channel|here|everyone|subteam\^)/;

describe("neutralizeMassMentions", () => {
  it("keeps the text readable and leaves other markup alone", () => {
    const out = neutralizeMassMentions("Hi <!here>, see <https://example.com|the notes> and <@U1>.");
    expect(out).not.toMatch(MASS_MENTION);
    expect(out.replace(/\u2060/g, "")).toBe("Hi <!here>, see <https://example.com|the notes> and <@U1>.");
  });

  it("a text cut at any point and neutralized piece by piece never forms a mention when joined (stream appends)", () => {
    const text = "a <!channel> b <!everyone>";
    for (let cut = 0; cut <= text.length; cut++) {
      const joined = neutralizeMassMentions(text.slice(0, cut)) + neutralizeMassMentions(text.slice(cut));
      expect(joined).not.toMatch(MASS_MENTION);
      expect(joined.replace(/\u2060/g, "")).toBe(text);
    }
  });
});
