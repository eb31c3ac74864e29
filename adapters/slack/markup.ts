/**
 * Slack message markup ("mrkdwn" plus `<…>` tokens and HTML entities) → standard Markdown, the way a person
 * would read it. Pure. Code spans and fences keep their content (only entities are decoded there).
 */

export interface MarkupContext {
  /** The bot's user id: its mentions are removed from the text. */
  readonly botUserId: string;
  /** Known display names by user id, used for `<@U…>` mentions without a label. */
  readonly userNames?: Readonly<Record<string, string>>;
}

const USER_MENTION = /<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g;

/** User ids mentioned in the raw Slack text, in order, without duplicates. */
export function mentionedUserIds(raw: string): string[] {
  const ids = [...raw.matchAll(USER_MENTION)].map((m) => m[1] as string);
  return [...new Set(ids)];
}

function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function renderToken(body: string, ctx: MarkupContext): string {
  const bar = body.indexOf("|");
  const target = bar === -1 ? body : body.slice(0, bar);
  const label = bar === -1 ? undefined : body.slice(bar + 1);
  if (target.startsWith("@")) {
    const id = target.slice(1);
    if (id === ctx.botUserId) return "";
    const name = label || ctx.userNames?.[id] || id;
    return `@${name}`;
  }
  if (target.startsWith("#")) return `#${label || target.slice(1)}`;
  if (target.startsWith("!")) {
    const special = target.slice(1);
    if (special.startsWith("subteam^")) return label ? (label.startsWith("@") ? label : `@${label}`) : `@${special.slice(8)}`;
    if (special === "here" || special === "channel" || special === "everyone") return `@${special}`;
    // <!date^…|fallback> and anything newer: the fallback label is what clients show without support.
    return label ?? "";
  }
  const url = decodeEntities(target);
  if (url.startsWith("mailto:")) return decodeEntities(label ?? url.slice("mailto:".length));
  if (label === undefined || label === "" || decodeEntities(label) === url) return url;
  return `[${decodeEntities(label)}](${url})`;
}

// Slack's *bold* is Markdown's **bold**; ~strike~ is ~~strike~~. _italic_ means the same in both.
function convertEmphasis(s: string): string {
  return s
    .replace(/(^|[\s([{"'])\*(?=\S)([^*\n]*?[^\s*])\*(?=$|[\s)\]}.,;:!?"'])/gm, "$1**$2**")
    .replace(/(^|[\s([{"'])~(?=\S)([^~\n]*?[^\s~])~(?=$|[\s)\]}.,;:!?"'])/gm, "$1~~$2~~");
}

function convertProse(s: string, ctx: MarkupContext): string {
  // Tokens first (their labels may hold "*"), then emphasis on the rest, then entities last so that a
  // literal "&lt;" typed by the user does not turn into a token.
  const parts = s.split(/(<[^<>\n]+>)/g);
  let out = "";
  parts.forEach((part, i) => {
    if (i % 2 === 0) {
      out += decodeEntities(convertEmphasis(part));
      return;
    }
    const rendered = renderToken(part.slice(1, -1), ctx);
    // A removed bot mention leaves no gap before punctuation ("hi <@BOT>, x" → "hi, x").
    if (rendered === "" && /^[,.;:!?]/.test(parts[i + 1] ?? "")) out = out.replace(/[ \t]+$/, "");
    out += rendered;
  });
  return out.replace(/(\S)[ \t]{2,}/g, "$1 ");
}

/** Converts Slack markup to Markdown and removes the bot's own mentions (and the gap they leave). */
export function slackMarkupToMarkdown(raw: string, ctx: MarkupContext): string {
  const segments = raw.split(/(```[\s\S]*?```|`[^`\n]+`)/g);
  const out = segments.map((seg, i) => (i % 2 === 1 ? decodeEntities(seg) : convertProse(seg, ctx))).join("");
  return out.trim();
}
