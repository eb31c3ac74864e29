import type { KnownBlock } from "@slack/web-api";
import { PlatformValidationError } from "../../src/contracts/errors.js";
import type { ActionButton, Citation, MessageContent } from "../../src/contracts/messages.js";
import { neutralizeMassMentions } from "./mass-mentions.js";

/** Slack's limits that shape rendering, with where each comes from. */
export const SLACK_LIMITS = {
  /** `markdown` block text, cumulative over all markdown blocks of one message (Block Kit reference). */
  markdownChars: 12_000,
  /**
   * What the core splits answers to. Below `markdownChars` so that what the core appends after splitting
   * (a closing code fence, a "⚠️ …" or "⏹ Stopped" line) still fits.
   */
  maxMessageLength: 11_000,
  /** `chat.update` rejects `text` over 4,000 chars (msg_too_long); the fallback stays well under it. */
  fallbackTextChars: 3_000,
  blocksPerMessage: 50,
  /** Elements of one `actions` block. */
  buttonsPerActionsBlock: 25,
  /** `plain_text` of a button. */
  buttonLabelChars: 75,
  /** One `mrkdwn` element of a context block. */
  contextTextChars: 3_000,
  /** `markdown_text` of one chat.startStream / appendStream / stopStream call. */
  streamMarkdownChars: 12_000,
} as const;

export type SlackBlock = Record<string, unknown> & { readonly type: string };

/**
 * Our blocks in the SDK's type. They are built as plain objects (the SDK's unions make small builders verbose);
 * the shapes follow Block Kit and the integration tests check them against the fake's validation.
 */
export const toSdkBlocks = (blocks: readonly SlackBlock[]): KnownBlock[] => blocks as unknown as KnownBlock[];

/** The body of chat.postMessage / chat.update / chat.postEphemeral (without channel, ts, thread_ts). */
export interface SlackMessagePayload {
  readonly text: string;
  readonly blocks: SlackBlock[];
}

/** Slack parses `<`, `>` and `&` in mrkdwn and `text`: escape them in anything we did not write ourselves. */
function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`;
}

/**
 * Markdown → readable plain text for notifications and clients without Block Kit: markers go, words stay.
 * Not a full Markdown parser; the blocks carry the real rendering.
 */
export function markdownToPlainText(md: string): string {
  return md
    .replace(/```[^\n]*\n?/g, "")
    .replace(/!\[([^\]]*)\]\(([^)\s]+)[^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, "$1 ($2)")
    .replace(/^#{1,6}\s+/gm, "")
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, "$2")
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, "$1")
    .replace(/`([^`\n]+)`/g, "$1")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** @internal Exported for its unit test. */
export function renderButtons(buttons: readonly ActionButton[]): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  const capped = buttons.slice(0, SLACK_LIMITS.buttonsPerActionsBlock);
  if (capped.length === 0) return blocks;
  blocks.push({
    type: "actions",
    elements: capped.map((b) => ({
      type: "button",
      action_id: b.actionId,
      value: b.actionId,
      text: { type: "plain_text", text: truncate(b.label.trim() || "…", SLACK_LIMITS.buttonLabelChars), emoji: true },
      ...(b.style ? { style: b.style } : {}),
    })),
  });
  return blocks;
}

function citationLink(c: Citation): string {
  const title = escapeMrkdwn(c.title.trim() || `Source ${c.index}`).replace(/\|/g, "¦");
  // A URL that would break the <url|label> token is shown as plain text instead.
  return c.url && /^https?:\/\/[^\s<>|]+$/.test(c.url) ? `<${c.url}|${title}>` : title;
}

/**
 * Citations as one compact context line: "Sources: [1] Title · [2] <url|Title>", cut to what fits.
 * @internal Exported for its unit test.
 */
export function renderCitations(citations: readonly Citation[]): SlackBlock[] {
  if (citations.length === 0) return [];
  const head = "*Sources:* ";
  let text = head;
  for (const [i, c] of citations.entries()) {
    const piece = `${i === 0 ? "" : " · "}[${c.index}] ${citationLink(c)}`;
    const rest = citations.length - i - 1;
    const reserve = rest > 0 ? ` · +${rest} more`.length : 0;
    if (text.length + piece.length + reserve > SLACK_LIMITS.contextTextChars) {
      text += ` · +${citations.length - i} more`;
      break;
    }
    text += piece;
  }
  return [{ type: "context", elements: [{ type: "mrkdwn", text }] }];
}

/** `action_id` of the feedback buttons the adapter puts on rateable answers (read back in listeners.ts). */
export const FEEDBACK_ACTION_ID = "dify_feedback";

/** Slack's 👍/👎 `feedback_buttons` in a `context_actions` block, next to the sources. */
function renderFeedback(): SlackBlock {
  return {
    type: "context_actions",
    elements: [
      {
        type: "feedback_buttons",
        action_id: FEEDBACK_ACTION_ID,
        positive_button: { text: { type: "plain_text", text: "👍" }, accessibility_label: "Good answer", value: "thumbs_up" },
        negative_button: { text: { type: "plain_text", text: "👎" }, accessibility_label: "Bad answer", value: "thumbs_down" },
      },
    ],
  };
}

/**
 * The blocks that follow the text: sources, feedback buttons (a rateable answer, when `content.feedback` is
 * kept: the AI app), then buttons. Also what chat.stopStream appends to a stream.
 */
export function renderExtras(content: Pick<MessageContent, "buttons" | "citations" | "feedback">): SlackBlock[] {
  return [...renderCitations(content.citations ?? []), ...(content.feedback ? [renderFeedback()] : []), ...renderButtons(content.buttons ?? [])];
}

/**
 * MessageContent → the same payload for chat.postMessage and chat.update: the Markdown in a `markdown` block
 * (Slack renders standard Markdown there), extras after it, and a plain-text `text` for notifications.
 */
export function renderMessage(content: MessageContent): SlackMessagePayload {
  const markdown = content.markdown.trim();
  if (markdown.length > SLACK_LIMITS.markdownChars) {
    throw new PlatformValidationError("slack", "too_long", `message has ${markdown.length} characters of Markdown; Slack allows ${SLACK_LIMITS.markdownChars}`);
  }
  const blocks: SlackBlock[] = [];
  if (markdown !== "") blocks.push({ type: "markdown", text: neutralizeMassMentions(markdown) });
  blocks.push(...renderExtras(content));
  const plain = markdownToPlainText(markdown);
  const labels = (content.buttons ?? []).map((b) => b.label).join(" · ");
  const escaped = escapeMrkdwn(plain || labels || "…");
  // Cut after escaping (escaping lengthens the text), without leaving half an entity behind.
  const text =
    escaped.length <= SLACK_LIMITS.fallbackTextChars
      ? escaped
      : `${escaped
          .slice(0, SLACK_LIMITS.fallbackTextChars - 1)
          .replace(/&[a-z]*$/, "")
          .trimEnd()}…`;
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocksPerMessage) };
}
