import { describe, expect, it } from "vitest";
import { slackReactionToReaction } from "../../../../adapters/slack/reactions.js";

describe("slackReactionToReaction", () => {
  it.each([
    ["+1", "thumbs_up"],
    ["thumbsup", "thumbs_up"],
    ["+1::skin-tone-2", "thumbs_up"],
    ["thumbsup::skin-tone-6", "thumbs_up"],
    ["-1", "thumbs_down"],
    ["thumbsdown", "thumbs_down"],
    ["-1::skin-tone-5", "thumbs_down"],
    ["heart", null],
    ["+1000", null],
    ["", null],
  ])("%j → %j", (name, expected) => {
    expect(slackReactionToReaction(name)).toBe(expected);
  });
});
