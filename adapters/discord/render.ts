import { type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIEmbed, ButtonStyle, ComponentType } from "discord.js";
import type { ActionButton, Citation, MessageContent } from "../../src/contracts/messages.js";
import { DISCORD_LIMITS } from "./limits.js";

/**
 * The JSON body shared by create (POST) and edit (PATCH). Components and embeds are always present, so an edit
 * that carries no buttons also removes the old ones.
 */
interface RenderedMessageBody {
  content: string;
  components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  embeds: APIEmbed[];
  /** Answers quote arbitrary model output: never ping @everyone, roles or users. */
  allowed_mentions: { parse: []; replied_user: false };
}

export interface RenderResult<Body = RenderedMessageBody> {
  readonly body: Body;
  /** What had to be dropped or cut to stay inside Discord's limits (a core bug if it ever happens). */
  readonly warnings: readonly string[];
}

/**
 * A Components V2 message (flag IS_COMPONENTS_V2): no `content`, no `embeds`; text lives in text displays
 * (see render-v2.ts).
 */
export interface ComponentsV2Body {
  flags: number;
  components: unknown[];
  allowed_mentions: { parse: []; replied_user: false };
}

/** Turns what the core wants shown into a message body (plain content, or Components V2). */
export type DiscordRenderer = (content: MessageContent) => RenderResult<RenderedMessageBody | ComponentsV2Body>;

/** Shown when a message would otherwise be empty, which Discord rejects (50006). */
const EMPTY_CONTENT = "…";

export function renderMessage(content: MessageContent): RenderResult {
  const warnings: string[] = [];
  const components = renderButtons(content.buttons ?? [], warnings);
  const embeds = renderCitations(content.citations ?? []);
  let text = fitContent(toDiscordMarkdown(content.markdown), warnings);
  if (text.trim() === "" && components.length === 0 && embeds.length === 0) text = EMPTY_CONTENT;
  const body: RenderedMessageBody = {
    content: text,
    components,
    embeds,
    allowed_mentions: { parse: [], replied_user: false },
  };
  return { body, warnings };
}

/**
 * Discord renders most Markdown. Outside code, turn the constructs it shows literally into ones it renders:
 * images become links, h4–h6 become bold. Never lengthens the text, so the core's split still fits.
 */
export function toDiscordMarkdown(markdown: string): string {
  return markdown
    .split(/(```[\s\S]*?(?:```|$))/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (_m, alt: string, url: string) => (alt ? `[${alt}](${url})` : url))
            .replace(/^#{4,6}[ \t]+(.+?)[ \t#]*$/gm, "**$1**"),
    )
    .join("");
}

/** The 2,000-character guard. The core splits before this; if text still arrives too long, cut and report. */
export function fitContent(text: string, warnings: string[]): string {
  const max = DISCORD_LIMITS.contentLength;
  if (text.length <= max) return text;
  warnings.push(`content of ${text.length} characters cut to ${max}`);
  let cut = text.slice(0, max - 1);
  // Never leave half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

const BUTTON_STYLE = { primary: ButtonStyle.Primary, danger: ButtonStyle.Danger } as const;

export function renderButtons(buttons: readonly ActionButton[], warnings: string[]): APIActionRowComponent<APIButtonComponentWithCustomId>[] {
  const seen = new Set<string>();
  const valid: APIButtonComponentWithCustomId[] = [];
  for (const b of buttons) {
    if (b.actionId.length === 0 || b.actionId.length > DISCORD_LIMITS.customIdLength) {
      warnings.push(`button dropped: custom_id must be 1-${DISCORD_LIMITS.customIdLength} characters`);
      continue;
    }
    if (seen.has(b.actionId)) {
      warnings.push("button dropped: duplicate custom_id");
      continue;
    }
    seen.add(b.actionId);
    valid.push({
      type: ComponentType.Button,
      custom_id: b.actionId,
      label: fitLabel(b.label),
      style: b.style ? BUTTON_STYLE[b.style] : ButtonStyle.Secondary,
    });
  }
  const max = DISCORD_LIMITS.buttonsPerRow * DISCORD_LIMITS.actionRows;
  if (valid.length > max) warnings.push(`${valid.length - max} button(s) dropped: at most ${max} per message`);
  const rows: APIActionRowComponent<APIButtonComponentWithCustomId>[] = [];
  for (let i = 0; i < Math.min(valid.length, max); i += DISCORD_LIMITS.buttonsPerRow) {
    rows.push({ type: ComponentType.ActionRow, components: valid.slice(i, i + DISCORD_LIMITS.buttonsPerRow) });
  }
  return rows;
}

function fitLabel(label: string): string {
  const trimmed = label.trim();
  if (trimmed === "") return "…";
  const chars = [...trimmed];
  return chars.length <= DISCORD_LIMITS.buttonLabelLength ? trimmed : `${chars.slice(0, DISCORD_LIMITS.buttonLabelLength - 1).join("")}…`;
}

/** Citations go into an embed, so they never eat into the 2,000 characters of the answer itself. */
function renderCitations(citations: readonly Citation[]): APIEmbed[] {
  if (citations.length === 0) return [];
  const maxLength = DISCORD_LIMITS.embedDescriptionLength;
  const lines: string[] = [];
  let length = 0;
  for (const [i, c] of citations.entries()) {
    const line = citationLine(c);
    const more = `…and ${citations.length - i} more`;
    if (length + line.length + 1 + more.length + 1 > maxLength) {
      lines.push(more);
      break;
    }
    lines.push(line);
    length += line.length + 1;
  }
  return [{ title: "Sources", description: lines.join("\n") }];
}

export function citationLine(c: Citation): string {
  const title = [...(c.title.trim() || "Source")].slice(0, 200).join("").replace(/[[\]]/g, "");
  const url = c.url && /^https?:\/\//i.test(c.url) ? c.url.replace(/\(/g, "%28").replace(/\)/g, "%29").replace(/\s/g, "%20") : null;
  return url ? `${c.index}. [${title}](${url})` : `${c.index}. ${title}`;
}
