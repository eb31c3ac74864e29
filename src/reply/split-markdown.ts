/**
 * Splits Markdown into messages of at most `maxChars` at the most natural boundary (paragraph, then line,
 * then sentence, then word), keeping code fences valid: a fence open at a split is closed at the end of one
 * message and reopened (same info string) at the start of the next.
 *
 * The split is prefix-stable: where a message ends depends only on the text up to that message's limit, so a
 * message frozen while the answer was still streaming keeps exactly the same text in the final split.
 */

interface Fence {
  /** The opening line, e.g. "```ts", repeated at the top of the next message. */
  readonly open: string;
  readonly marker: string;
}

const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** Fence state after scanning `text` line by line, starting from `fence`. */
function fenceAfter(text: string, fence: Fence | null): Fence | null {
  let state = fence;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const m = FENCE_LINE.exec(text.slice(start, end));
    if (m) {
      const marker = m[1] as string;
      if (state === null) state = { open: text.slice(start, end).trim(), marker };
      else if (marker[0] === state.marker[0] && marker.length >= state.marker.length && (m[2] ?? "").trim() === "") state = null;
    }
    start = end + 1;
  }
  return state;
}

function closing(fence: Fence): string {
  return `\n${fence.marker}`;
}

export interface SplitOptions {
  /**
   * The platform strips whitespace at the start and end of a message (Discord does). Prose is then cut only
   * between two visible characters, so the messages joined are the text byte for byte: before a sentence's or
   * clause's punctuation, after a CJK full stop, else inside a word. Otherwise (and inside code fences, which are
   * closed and reopened anyway) the whitespace at a cut separates the two messages and is not sent.
   */
  readonly edgesTrimmed?: boolean;
}

const WHITESPACE = /\s/;

function isVisible(ch: string | undefined): boolean {
  return ch !== undefined && !WHITESPACE.test(ch);
}

/**
 * A cut with a visible character on both sides, as late as possible in the second half of `window`, or -1.
 * Prefers a sentence's or clause's end (before its punctuation, so words stay whole; a CJK stop needs no space),
 * then any place inside a word that splits neither a surrogate pair nor a run of Markdown markers (`**`, `__`).
 */
function chooseVisibleCut(window: string, half: number): number {
  const natural: RegExp[] = [/(?<=[\p{L}\p{N}])(?=[.!?。！？]+\s)/gu, /[。！？](?=\S)/gu, /(?<=[\p{L}\p{N}])(?=[,;:]+\s)/gu];
  for (const pattern of natural) {
    let best = -1;
    for (const m of window.matchAll(pattern)) {
      const at = (m.index ?? 0) + m[0].length;
      if (at >= half && isVisible(window[at - 1]) && isVisible(window[at])) best = at;
    }
    if (best > 0) return best;
  }
  for (let at = window.length - 1; at >= half && at > 0; at--) {
    const before = window[at - 1];
    const after = window[at];
    if (!isVisible(before) || !isVisible(after)) continue;
    if (isHighSurrogate(window.charCodeAt(at - 1)) || /\p{M}/u.test(after ?? "")) continue;
    if (before === after && /[*_~`|]/.test(before ?? "")) continue;
    return at;
  }
  return -1;
}

/** Index in `window` to cut at (exclusive), preferring late natural boundaries. */
function chooseCut(window: string, insideFence: boolean): number {
  const half = Math.floor(window.length / 2);
  // Each pattern with the cut it gives: before a break, or just after a sentence's end.
  const candidates: Array<[RegExp, number]> = insideFence
    ? [[/\n/g, 0]]
    : [
        [/\n\n/g, 0],
        [/\n/g, 0],
        // CJK full stops are followed by the next sentence directly, with no space.
        [/[.!?](?=\s)|[。！？]/g, 1],
        [/\s/g, 0],
      ];
  for (const [pattern, offset] of candidates) {
    let best = -1;
    for (const m of window.matchAll(pattern)) {
      const at = (m.index ?? 0) + offset;
      if (at >= half) best = at;
    }
    if (best > 0) return best;
  }
  // No natural boundary in the second half: hard cut, never inside a surrogate pair.
  let cut = window.length;
  if (isHighSurrogate(window.charCodeAt(cut - 1))) cut -= 1;
  return cut;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Room to keep free for a closing fence: the longest fence marker that may be open at the cut, plus its newline. */
function closingRoom(window: string, fence: Fence | null): number {
  let longest = fence?.marker.length ?? 0;
  for (const m of window.matchAll(/^ {0,3}(`{3,}|~{3,})/gm)) longest = Math.max(longest, (m[1] as string).length);
  return Math.max(PREVIEW_MARGIN, longest + 1);
}

export function splitMarkdown(text: string, maxChars: number, opts: SplitOptions = {}): string[] {
  if (maxChars < 16) throw new RangeError("maxChars too small to split Markdown");
  return splitFrom(text, maxChars, opts, [], START, []);
}

/** Where a split stands after a cut: the next message starts at `pos` of the text, with `fence` open, after `parts` messages. */
interface SplitPoint {
  readonly pos: number;
  readonly fence: Fence | null;
  readonly parts: number;
}

const START: SplitPoint = { pos: 0, fence: null, parts: 0 };

/** The split loop from `start` on (`parts` holds the messages before it); each cut's point is added to `points`. */
function splitFrom(text: string, maxChars: number, opts: SplitOptions, parts: string[], start: SplitPoint, points: SplitPoint[]): string[] {
  let pos = start.pos;
  let fence = start.fence;
  for (;;) {
    const rest = text.slice(pos);
    // Whitespace left after a cut separated two messages; it is not a message of its own.
    if (parts.length > 0 && rest.trim() === "") return parts;
    // An opening line that would fill half a message is reopened by its marker alone.
    const reopen = fence && fence.open.length + 1 <= maxChars / 2 ? fence.open : fence?.marker;
    const prefix = reopen !== undefined ? `${reopen}\n` : "";
    if (prefix.length + rest.length <= maxChars) {
      parts.push(prefix + rest);
      return parts;
    }
    // Leave room for a closing fence in case the cut lands inside one (more for a long marker in the window).
    let window = rest.slice(0, Math.max(1, maxChars - prefix.length - PREVIEW_MARGIN));
    const reserve = closingRoom(window, fence);
    if (reserve > PREVIEW_MARGIN) window = rest.slice(0, Math.max(1, maxChars - prefix.length - reserve));
    const insideAtEnd = fenceAfter(window, fence) !== null;
    // Outside code, a platform that trims message edges gets a cut between two visible characters: nothing lost.
    const visibleCut = opts.edgesTrimmed && !insideAtEnd && fence === null ? chooseVisibleCut(window, Math.floor(window.length / 2)) : -1;
    if (visibleCut > 0) {
      const body = rest.slice(0, visibleCut);
      const after = fenceAfter(body, fence);
      if (after === null) {
        parts.push(prefix + body);
        pos += visibleCut;
        points.push({ pos, fence, parts: parts.length });
        continue;
      }
    }
    let cut = chooseCut(window, insideAtEnd);
    if (cut <= 0) cut = isHighSurrogate(rest.charCodeAt(0)) ? 2 : 1;
    const body = rest.slice(0, cut);
    const after = fenceAfter(body, fence);
    const chunk = prefix + body.replace(/\s+$/, "") + (after ? closing(after) : "");
    if (chunk.trim() !== "") parts.push(chunk);
    // Skip the separator itself so the next message does not start with blank lines.
    let next = pos + cut;
    while (next < text.length && (text[next] === "\n" || (text[next] === " " && !after))) next++;
    pos = next;
    fence = after;
    points.push({ pos, fence, parts: parts.length });
  }
}

/**
 * `splitMarkdown` for a text that grows: the same messages, without redoing the cuts an earlier text already
 * settled. A cut depends only on the window of text before it (the split is prefix-stable) and on the separator
 * after it, so when the new text extends the last one, every cut whose next message started inside the last
 * text is kept and the split resumes from the latest of them. A streaming answer is re-split a few times a
 * second; without this each time re-scans every message it already filled.
 */
export class MarkdownSplitter {
  private last: { readonly text: string; readonly parts: readonly string[]; readonly points: readonly SplitPoint[] } | undefined;

  constructor(
    private readonly maxChars: number,
    private readonly opts: SplitOptions = {},
  ) {
    if (maxChars < 16) throw new RangeError("maxChars too small to split Markdown");
  }

  split(text: string): string[] {
    const last = this.last;
    if (last && last.text === text) return [...last.parts];
    let start = START;
    let points: SplitPoint[] = [];
    if (last && text.startsWith(last.text)) {
      // A separator skip that reached the end of the last text may go on in this one: that cut is redone.
      let i = last.points.length - 1;
      while (i >= 0 && (last.points[i] as SplitPoint).pos >= last.text.length) i--;
      if (i >= 0) {
        start = last.points[i] as SplitPoint;
        points = last.points.slice(0, i + 1);
      }
    }
    const parts = splitFrom(text, this.maxChars, this.opts, last ? last.parts.slice(0, start.parts) : [], start, points);
    this.last = { text, parts, points };
    return [...parts];
  }
}

/** For a message still growing: close a code fence left open so the preview renders as code. */
export function closeOpenFence(text: string): string {
  const fence = fenceAfter(text, null);
  return fence ? `${text}${text.endsWith("\n") ? "" : "\n"}${fence.marker}` : text;
}

/** Room `closeOpenFence` may add; streaming splits leave it free. */
export const PREVIEW_MARGIN = 8;
