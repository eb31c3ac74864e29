import type { Reaction } from "../../src/contracts/reactions.js";

// Slack names 👍/👎 "+1"/"-1" and accepts the aliases "thumbsup"/"thumbsdown"; a skin tone is a suffix
// such as "+1::skin-tone-3".
const SLACK_REACTIONS: Readonly<Record<string, Reaction>> = {
  "+1": "thumbs_up",
  thumbsup: "thumbs_up",
  "-1": "thumbs_down",
  thumbsdown: "thumbs_down",
};

/** Maps a Slack reaction name to the normalized reaction, or null for every other emoji. */
export function slackReactionToReaction(name: string): Reaction | null {
  const base = name.split("::")[0] ?? name;
  return SLACK_REACTIONS[base] ?? null;
}
