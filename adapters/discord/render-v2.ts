import { ComponentType } from "discord.js";
import type { Citation, MessageContent } from "../../src/contracts/messages.js";
import { DISCORD_LIMITS, IS_COMPONENTS_V2_FLAG } from "./limits.js";
import { type ComponentsV2Body, citationLine, type RenderResult, renderButtons, toDiscordMarkdown } from "./render.js";

/**
 * Characters of answer per Components V2 message, as the core splits it: of the 4,000 characters of text a message
 * may show, the rest is kept for its sources.
 */
export const COMPONENTS_V2_ANSWER_LENGTH = 3_500;

const EMPTY_TEXT = "…";

/**
 * MessageContent → a Components V2 message (components/reference.mdx). An answer with sources or buttons is a
 * container: the answer as a text display, then (after a separator) its sources as a second one, then the buttons
 * in action rows; an answer without them is a single text display. Everything stays inside Discord's limits: 4,000
 * characters across the text displays (the answer first; the sources get what is left and end in "…and N more"
 * when they do not all fit) and 40 components in all (at most 34 here: renderButtons keeps 5 rows of 5).
 */
export function renderComponentsV2(content: MessageContent): RenderResult<ComponentsV2Body> {
  const warnings: string[] = [];
  const max = DISCORD_LIMITS.componentsV2TextLength;
  let answer = toDiscordMarkdown(content.markdown);
  if (answer.length > max) {
    warnings.push(`text of ${answer.length} characters cut to ${max}`);
    answer = `${[...answer.slice(0, max - 1)].join("").replace(/[\uD800-\uDBFF]$/, "")}…`;
  }
  if (answer.trim() === "") answer = EMPTY_TEXT;
  const sources = sourcesText(content.citations ?? [], max - answer.length, warnings);
  const rows = renderButtons(content.buttons ?? [], warnings);

  const text = (s: string) => ({ type: ComponentType.TextDisplay, content: s });
  let components: unknown[];
  if (sources === null && rows.length === 0) components = [text(answer)];
  else {
    const inside: unknown[] = [text(answer)];
    if (sources !== null) inside.push({ type: ComponentType.Separator, divider: true, spacing: 1 }, text(sources));
    // Within the 40 by construction: the container, at most 3 inside it, and at most 5 rows of 5 buttons make 34.
    inside.push(...rows);
    components = [{ type: ComponentType.Container, components: inside }];
  }
  return { body: { flags: IS_COMPONENTS_V2_FLAG, components, allowed_mentions: { parse: [], replied_user: false } }, warnings };
}

/** "**Sources**" and one line per citation, within `room` characters; null when there are none or no room. */
function sourcesText(citations: readonly Citation[], room: number, warnings: string[]): string | null {
  if (citations.length === 0) return null;
  const heading = "**Sources**";
  const lines: string[] = [heading];
  let length = heading.length;
  for (const [i, c] of citations.entries()) {
    const line = citationLine(c);
    const more = `…and ${citations.length - i} more`;
    const last = i === citations.length - 1;
    if (length + 1 + line.length + (last ? 0 : 1 + more.length) > room) {
      if (length + 1 + more.length <= room) lines.push(more);
      else if (lines.length === 1) {
        warnings.push(`${citations.length} source(s) dropped: no room left in the message's ${DISCORD_LIMITS.componentsV2TextLength} characters`);
        return null;
      }
      break;
    }
    lines.push(line);
    length += 1 + line.length;
  }
  return lines.join("\n");
}
