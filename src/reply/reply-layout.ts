import type { StreamTasks } from "../contracts/chat-platform.js";
import type { ActionButton, Citation, MessageContent } from "../contracts/messages.js";
import { closeOpenFence, MarkdownSplitter, PREVIEW_MARGIN, type SplitOptions, splitMarkdown } from "./split-markdown.js";

/** What the reply should look like now: one entry per platform message, in order. */
export type ReplyLayout = readonly MessageContent[];

export const THINKING_TEXT = "_Thinking…_";
export const QUEUED_TEXT = "_Queued: I'll answer right after the message before yours._";

/** The thread's status line for a placeholder or progress text: its words without the italics. */
export function statusLineOf(content: MessageContent): string {
  return content.markdown.replace(/^_(.*)_$/s, "$1").trim();
}

export interface StreamingView {
  /** The visible answer so far (Markdown, reasoning already hidden). */
  readonly text: string;
  /** Shown while there is no text: what the app is doing. */
  readonly status?: string | undefined;
  /** The app's steps as work cards, for a native stream. */
  readonly tasks?: StreamTasks | undefined;
}

export interface FinalView {
  readonly text: string;
  /** The steps' last state (with their sources), for a native stream. */
  readonly tasks?: StreamTasks | undefined;
  readonly citations?: readonly Citation[];
  readonly buttons?: readonly ActionButton[];
  /** The answer can be rated (see `MessageContent.feedback`). */
  readonly feedback?: boolean;
}

/** How a platform takes a long reply: its message length and whether it strips whitespace at message edges. */
export interface SplitRules extends SplitOptions {
  readonly maxChars: number;
}

/** Every split uses the same limit, so messages frozen while streaming match the final split exactly. */
function split(text: string, rules: SplitRules): string[] {
  return splitMarkdown(text, rules.maxChars - PREVIEW_MARGIN, { edgesTrimmed: rules.edgesTrimmed ?? false });
}

/** The split `streamingLayout` makes, kept for one growing answer so each layout only redoes its newest cut. */
export function streamingSplitter(rules: SplitRules): MarkdownSplitter {
  return new MarkdownSplitter(rules.maxChars - PREVIEW_MARGIN, { edgesTrimmed: rules.edgesTrimmed ?? false });
}

/**
 * The reply while it streams. With `preview` (the default) an open code fence in the growing message is closed
 * so it renders as code; append-only streams ask for the text without it.
 */
export function streamingLayout(
  view: StreamingView,
  opts: SplitRules & { stopButton?: ActionButton | undefined; preview?: boolean; splitter?: MarkdownSplitter | undefined },
): ReplyLayout {
  const stop = opts.stopButton ? [opts.stopButton] : [];
  if (view.text.trim() === "") return [{ markdown: view.status ? `_${view.status}_` : THINKING_TEXT, buttons: stop }];
  // The same messages either way: a splitter made by `streamingSplitter` for these rules only skips settled cuts.
  const chunks = opts.splitter ? opts.splitter.split(view.text) : split(view.text, opts);
  const live = (markdown: string) => (opts.preview === false ? markdown : preview(markdown, opts.maxChars));
  return chunks.map((markdown, i) => (i === chunks.length - 1 ? { markdown: live(markdown), buttons: stop } : { markdown, buttons: [] }));
}

/** The live part with its open fence closed; a marker longer than the margin costs the preview a few characters. */
function preview(markdown: string, maxChars: number): string {
  const closed = closeOpenFence(markdown);
  if (closed.length <= maxChars) return closed;
  let end = maxChars - (closed.length - markdown.length);
  const code = markdown.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return closeOpenFence(markdown.slice(0, end));
}

export function finalLayout(view: FinalView, opts: SplitRules): ReplyLayout {
  const chunks = split(view.text.trim() === "" ? "⚠️ The assistant returned an empty answer." : view.text, opts);
  return chunks.map((markdown, i) =>
    i === chunks.length - 1
      ? {
          markdown,
          buttons: view.buttons ?? [],
          ...(view.citations?.length ? { citations: view.citations } : {}),
          ...(view.feedback ? { feedback: true } : {}),
        }
      : { markdown, buttons: [] },
  );
}

export function sameContent(a: MessageContent | undefined, b: MessageContent | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.markdown !== b.markdown) return false;
  const ab = (a.buttons ?? []).map((x) => `${x.actionId}\u0000${x.label}`).join("\u0001");
  const bb = (b.buttons ?? []).map((x) => `${x.actionId}\u0000${x.label}`).join("\u0001");
  if (ab !== bb) return false;
  if ((a.feedback ?? false) !== (b.feedback ?? false)) return false;
  return JSON.stringify(a.citations ?? []) === JSON.stringify(b.citations ?? []);
}
