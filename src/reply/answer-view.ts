import type { Citation } from "../contracts/messages.js";
import type { RetrieverResource } from "../dify/events.js";
import type { AnswerState } from "./answer-accumulator.js";
import { separateReasoning } from "./reasoning-filter.js";
import type { StreamingView } from "./reply-layout.js";
import { stepCards } from "./work-steps.js";

export interface ViewSettings {
  readonly showProgress: boolean;
  readonly showReasoning: boolean;
  /** Dify origin: relative `/files/...` links in the answer are made absolute so they open. */
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
 * Rewritten as soon as "](/files/x" has arrived rather than when the link closes, so a streamed link only ever
 * grows; while streaming, a trailing piece of "](/files/" is held back until it is known to be one.
 */
function absoluteFileLinks(markdown: string, origin: string, final: boolean): string {
  const absolute = markdown.replace(/\]\((?=\/files\/[^)\s])/g, `](${origin}`);
  if (final) return absolute;
  const partial = /\](?:\((?:\/(?:f(?:i(?:l(?:e(?:s\/?)?)?)?)?)?)?)?$/.exec(absolute);
  return partial ? absolute.slice(0, partial.index) : absolute;
}

/** The answer as Markdown: preamble lines, reasoning (when shown), then the answer itself. */
export function answerMarkdown(state: AnswerState, preamble: readonly string[], s: ViewSettings, final: boolean): string {
  const { answer, reasoning } = separateReasoning(state.text, { final });
  const thoughts = [state.reasoning.trim(), reasoning].filter(Boolean).join("\n\n");
  const body = absoluteFileLinks(answer, s.difyOrigin, final);
  if (body.trim() === "" && !final) return "";
  return [...preamble, s.showReasoning && thoughts ? quote(`💭 ${thoughts}`) : "", body].filter((x) => x.trim() !== "").join("\n\n");
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
