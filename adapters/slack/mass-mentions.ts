/**
 * Slack reads `<!channel>`, `<!here>`, `<!everyone>` (and `<!subteam^…>` user groups) in message text as
 * mentions that notify a whole channel or team. Answers are written by a model, which can be talked into
 * writing them, so no answer text may carry one; Discord gets the same guarantee from `allowed_mentions`.
 *
 * A word joiner (U+2060, invisible) goes between `<` and `!`, so the text still reads the same. It works on
 * any piece of a text on its own: a piece ending in `<` gets the joiner too, in case the next piece (a later
 * stream append) starts with `!`. So streamed deltas, cut anywhere, can never form a mention when joined.
 */
const WORD_JOINER = "\u2060";

export function neutralizeMassMentions(text: string): string {
  const inside = text.replace(/<!/g, `<${WORD_JOINER}!`);
  return inside.endsWith("<") ? `${inside}${WORD_JOINER}` : inside;
}
