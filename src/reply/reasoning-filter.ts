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

const PARTIAL_OPENERS = ["<think>", "<details"];

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
  const lt = text.lastIndexOf("<");
  if (lt === -1 || text.length - lt > 9) return text;
  const tail = text.slice(lt).toLowerCase();
  return PARTIAL_OPENERS.some((o) => o.startsWith(tail) || tail.startsWith("<details")) ? text.slice(0, lt) : text;
}
