/**
 * Reasoning models put their chain of thought in the answer as `<think>…</think>` (Dify's default "tagged"
 * reasoning format), older Dify versions as a `<details>` block summarised "Thinking...". Hidden unless the
 * deployment turns SHOW_REASONING on.
 *
 * Streaming-safe: an unclosed block, or a trailing partial "<thi", is held back rather than shown and then
 * retracted, so the visible answer only ever grows.
 */

const BLOCKS: ReadonlyArray<{ open: RegExp; close: string }> = [
  { open: /<think>/i, close: "</think>" },
  { open: /<details\b[^>]*>\s*<summary>\s*Thinking\.*\s*<\/summary>/i, close: "</details>" },
];

/** Matches every prefix of `literal` (empty and whole included). */
function prefixesOf(literal: string): string {
  return [...literal].reduceRight((inner, ch) => `(?:${ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}${inner})?`, "");
}

/**
 * Text that may still grow into one of the BLOCKS openers: a prefix of "<think>", or of
 * `<details\b[^>]*>\s*<summary>\s*Thinking\.*\s*</summary>` (which spans several "<").
 */
const PARTIAL_OPENER = (() => {
  const afterThinking = `\\.*\\s*${prefixesOf("</summary>")}`;
  const afterSummary = `\\s*(?:thinking${afterThinking}|${prefixesOf("thinking")})`;
  const afterDetails = `\\s*(?:<summary>${afterSummary}|${prefixesOf("<summary>")})`;
  const details = `<details(?:>${afterDetails}|[^\\w>][^>]*(?:>${afterDetails})?)?`;
  return new RegExp(`^(?:${prefixesOf("<think>")}|${details}|${prefixesOf("<details")})$`, "i");
})();

export interface SeparatedAnswer {
  readonly answer: string;
  readonly reasoning: string;
}

export function separateReasoning(raw: string, opts: { final: boolean }): SeparatedAnswer {
  let answer = "";
  let reasoning = "";
  let rest = raw;
  for (;;) {
    let first: { index: number; length: number; close: string } | null = null;
    for (const b of BLOCKS) {
      const m = b.open.exec(rest);
      if (m && (first === null || m.index < first.index)) first = { index: m.index, length: m[0].length, close: b.close };
    }
    if (!first) break;
    answer += rest.slice(0, first.index);
    const inner = rest.slice(first.index + first.length);
    const end = inner.toLowerCase().indexOf(first.close);
    if (end === -1) {
      // Still thinking (or the model never closed the block): nothing after the opener is answer yet.
      reasoning += inner;
      rest = "";
      break;
    }
    reasoning += inner.slice(0, end);
    rest = inner.slice(end + first.close.length);
  }
  answer += rest;
  if (!opts.final) answer = holdBackPartialOpener(answer);
  return { answer: answer.replace(/^\s+/, ""), reasoning: reasoning.trim() };
}

function holdBackPartialOpener(text: string): string {
  for (let lt = text.indexOf("<"); lt !== -1; lt = text.indexOf("<", lt + 1)) {
    if (PARTIAL_OPENER.test(text.slice(lt))) return text.slice(0, lt);
  }
  return text;
}
