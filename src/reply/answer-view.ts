import type { Citation } from "../contracts/messages.js";
import type { RetrieverResource } from "../dify/events.js";
import type { AnswerState } from "./answer-accumulator.js";
import { separateReasoning } from "./reasoning-filter.js";
import type { StreamingView } from "./reply-layout.js";
import { stepCards } from "./work-steps.js";

export interface ViewSettings {
  readonly showProgress: boolean;
  readonly showReasoning: boolean;
  /** Dify origin: signed `/files/...` links to it are taken out of the answer (the files are attached instead). */
  readonly difyOrigin: string;
  /** The app's name: the title of its steps' plan in a native stream. */
  readonly planTitle?: string | undefined;
}

function quote(text: string): string {
  return text
    .split("\n")
    .map((l) => `> ${l}`)
    .join("\n");
}

/**
 * While streaming, a link still arriving (`[label`, `[label](/fi`) is held back until it closes, so a signed
 * file link never shows and what is shown only ever grows into the final text.
 */
function withoutOpenLink(markdown: string): string {
  const open = /!?(?:\[[^\]\n]*(?:\](?:\([^)\s]*)?)?)?$/.exec(markdown);
  return open ? markdown.slice(0, open.index) : markdown;
}

/** `[label](/files/…)` and `![alt](/files/…)`, relative or on the Dify origin: signed links that die after ~5 minutes. */
function fileLinkPattern(origin: string): RegExp {
  const host = origin.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(!?)\\[([^\\]]*)\\]\\(((?:${host})?/files/[^)\\s]+)\\)`, "g");
}

/** The signed Dify file links in a final answer, for attaching the files themselves. */
export function fileLinksIn(text: string, origin: string): string[] {
  return [...text.matchAll(fileLinkPattern(origin))].map((m) => m[3] as string);
}

/**
 * A final answer keeps no signed Dify file link: the file is attached to the reply instead, an image link
 * disappears and a text link keeps its label.
 */
function detachFileLinks(markdown: string, origin: string): string {
  return markdown.replace(fileLinkPattern(origin), (_m, bang: string, label: string) => (bang ? "" : label));
}

/**
 * The answer as Markdown: preamble lines, reasoning (when shown), then the answer itself, with its notes (who
 * answered a form) where they belong in the text.
 */
export function answerMarkdown(state: AnswerState, preamble: readonly string[], s: ViewSettings, final: boolean): string {
  const thoughts: string[] = [state.reasoning.trim()];
  const pieces: string[] = [];
  let from = 0;
  for (const note of state.notes) {
    // Text before a note is complete: it is shown as final text.
    const { answer, reasoning } = separateReasoning(state.text.slice(from, note.at), { final: true });
    thoughts.push(reasoning);
    pieces.push(detachFileLinks(answer, s.difyOrigin), note.line);
    from = Math.max(from, note.at);
  }
  const { answer, reasoning } = separateReasoning(state.text.slice(from), { final });
  thoughts.push(reasoning);
  const body = detachFileLinks(final ? answer : withoutOpenLink(answer), s.difyOrigin);
  if (body.trim() === "" && pieces.length === 0 && !final) return "";
  const thought = thoughts.filter(Boolean).join("\n\n");
  return [...preamble, s.showReasoning && thought ? quote(`💭 ${thought}`) : "", ...pieces, body].filter((x) => x.trim() !== "").join("\n\n");
}

export function streamingView(state: AnswerState, preamble: readonly string[], s: ViewSettings): StreamingView {
  return {
    text: answerMarkdown(state, preamble, s, false),
    status: s.showProgress ? state.progress : undefined,
    tasks: s.showProgress ? stepCards(state.steps, s.planTitle) : undefined,
  };
}

export function citationsOf(resources: readonly RetrieverResource[]): Citation[] {
  const seen = new Set<string>();
  const out: Citation[] = [];
  for (const r of resources) {
    const title = (r.documentName ?? r.title ?? r.datasetName ?? "").trim();
    if (!title || seen.has(title)) continue;
    seen.add(title);
    const snippet = head(r.content?.replace(/\s+/g, " ").trim() ?? "", 200);
    out.push({ index: out.length + 1, title, ...(r.url ? { url: r.url } : {}), ...(snippet ? { snippet } : {}) });
  }
  return out;
}

/** Button labels fit every platform (Slack 75, Discord 80 characters). */
export function buttonLabel(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > 75 ? `${head(t, 74)}…` : t;
}

/** The first `maxChars` UTF-16 units of `text`, one fewer rather than half of a surrogate pair. */
function head(text: string, maxChars: number): string {
  const code = text.charCodeAt(maxChars - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? maxChars - 1 : maxChars);
}
