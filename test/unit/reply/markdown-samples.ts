/**
 * Seeded generators of answer-like Markdown for property tests, and an independent reading of code fences
 * (CommonMark's rules for fence lines) used to check what the splitter produces.
 */

/** mulberry32: small, fast, and the same sequence for the same seed on every run. */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[int(0, list.length - 1)] as T;
  return { next, int, pick, chance: (p: number) => next() < p };
}

export interface Random {
  next(): number;
  /** Inclusive on both ends. */
  int(min: number, max: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}

const WORDS = [
  "the",
  "bridge",
  "streams",
  "answers",
  "into",
  "Slack",
  "and",
  "Discord",
  "while",
  "Dify",
  "thinks",
  "about",
  "your",
  "question",
  "quickly",
  "a",
  "of",
  "markdown",
  "message",
  "limit",
];
const CJK = ["这是一个测试句子", "回答会被拆分成多条消息", "日本語の文章です", "代码块不会被破坏", "每一部分都能单独显示"];
const EMOJI = ["🎉", "🚀", "👍🏽", "👩‍💻", "🇯🇵", "😀", "🧪"];
const LANGS = ["", "ts", "python", "json", "bash", 'js title="a.js"', "diff"];
const CODE = ["const x = 1;", "  return value;", "for (const item of list) {", "}", "print('hello')", "    deeply.indented()", "# comment", "x = [1, 2, 3]"];

function word(r: Random): string {
  const roll = r.next();
  if (roll < 0.04) return `${"w".repeat(r.int(20, 120))}end`; // a URL-like run with no break in it
  if (roll < 0.1) return r.pick(EMOJI) + r.pick(EMOJI);
  return r.pick(WORDS);
}

function sentence(r: Random): string {
  if (r.chance(0.15)) {
    const n = r.int(1, 4);
    return Array.from({ length: n }, () => r.pick(CJK) + r.pick(["。", "！", "？", "，"])).join("");
  }
  const n = r.int(3, 16);
  const words = Array.from({ length: n }, () => word(r));
  return `${words.join(" ")}${r.pick([".", ".", ".", "!", "?", ","])}`;
}

function paragraph(r: Random): string {
  return Array.from({ length: r.int(1, 6) }, () => sentence(r)).join(" ");
}

function list(r: Random): string {
  const ordered = r.chance(0.4);
  return Array.from({ length: r.int(2, 7) }, (_, i) => `${ordered ? `${i + 1}.` : "-"} ${sentence(r)}`).join("\n");
}

function fence(r: Random): string {
  const char = r.chance(0.7) ? "`" : "~";
  const nested = r.chance(0.2);
  const len = nested ? r.int(4, 5) : r.int(3, 4);
  const marker = char.repeat(len);
  const lines: string[] = [];
  for (let i = 0, n = r.int(1, 30); i < n; i++) {
    const roll = r.next();
    if (nested && roll < 0.15)
      lines.push(`${char.repeat(3)}${r.pick(LANGS)}`); // looks like a fence, is content
    else if (nested && roll < 0.25) lines.push(char.repeat(3));
    else if (roll < 0.3) lines.push(`${"    ".repeat(r.int(0, 2))}${r.pick(CODE)} // ${slicePairs(paragraph(r), r.int(0, 60))}`);
    else if (roll < 0.35) lines.push("x".repeat(r.int(30, 90)));
    else lines.push(r.pick(CODE));
  }
  return [`${marker}${r.pick(LANGS)}`, ...lines, marker].join("\n");
}

function block(r: Random): string {
  const roll = r.next();
  if (roll < 0.4) return paragraph(r);
  if (roll < 0.55) return list(r);
  if (roll < 0.8) return fence(r);
  if (roll < 0.9) return `${"#".repeat(r.int(1, 3))} ${sentence(r)}`;
  return paragraph(r).replace(/ /g, "\n");
}

/** `text.slice(0, end)`, one shorter when that would cut a surrogate pair in two. */
export function slicePairs(text: string, end: number): string {
  const c = text.charCodeAt(end - 1);
  return text.slice(0, c >= 0xd800 && c <= 0xdbff ? end - 1 : end);
}

/** An answer of roughly `targetChars` characters: paragraphs, lists, headings and closed code fences. */
export function randomMarkdown(r: Random, targetChars: number): string {
  let text = "";
  while (text.length < targetChars) text += (text ? r.pick(["\n\n", "\n\n", "\n"]) : "") + block(r);
  return text;
}

/** Prose only: no fences, headings or lists. */
export function randomProse(r: Random, targetChars: number): string {
  let text = "";
  while (text.length < targetChars) text += (text ? r.pick(["\n\n", "\n", " "]) : "") + paragraph(r);
  return text;
}

export interface OpenFence {
  readonly openLine: string;
  readonly char: string;
  readonly length: number;
}

const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** Fence state after reading `text` line by line (a last line without "\n" counts as a line). */
export function fenceStateAfter(text: string, start: OpenFence | null = null): OpenFence | null {
  let state = start;
  for (const line of text.split("\n")) {
    const m = FENCE_LINE.exec(line);
    if (!m) continue;
    const run = m[1] as string;
    const info = (m[2] ?? "").trim();
    if (state === null) state = { openLine: line.trim(), char: run[0] as string, length: run.length };
    else if (run[0] === state.char && run.length >= state.length && info === "") state = null;
  }
  return state;
}

/** Whether `text` has a lone UTF-16 surrogate (a pair cut in two). */
export function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);

/**
 * Maps split parts back onto `original`: each part, less a fence line reopened at its top and a closing fence
 * line added at its bottom, must appear in the original in order, separated only by whitespace the splitter
 * dropped. Returns where each part's own text starts and ends in the original, or null when the parts cannot
 * be read back that way (text lost, reordered or invented).
 */
export function alignParts(original: string, parts: readonly string[]): Array<{ start: number; end: number; reopened: boolean; closed: boolean }> | null {
  const out: Array<{ start: number; end: number; reopened: boolean; closed: boolean }> = [];

  const visit = (i: number, pos: number, addedClosing: OpenFence | null): boolean => {
    if (i === parts.length) return addedClosing === null && original.slice(pos).trim() === "";
    const part = parts[i] as string;
    // Where this part's own text may start: after any whitespace the splitter dropped.
    for (let p = pos; p <= original.length; p++) {
      if (p > pos && !isSpace(original[p - 1])) break;
      const state = fenceStateAfter(original.slice(0, p));
      // A fence closed by the splitter at the previous seam must be reopened here, with the same opening line
      // (or its bare marker, when the line is too long to repeat).
      let body = part;
      let reopened = false;
      if (addedClosing !== null) {
        if (state === null || state.openLine !== addedClosing.openLine) continue;
        const reopen = [state.openLine, state.char.repeat(state.length)].find((line) => body.startsWith(`${line}\n`));
        if (reopen === undefined) continue;
        body = body.slice(reopen.length + 1);
        reopened = true;
      }
      const variants: Array<{ text: string; closes: OpenFence | null }> = [{ text: body, closes: null }];
      const lastNl = body.lastIndexOf("\n");
      if (lastNl !== -1 && i < parts.length - 1) {
        const tail = body.slice(lastNl + 1);
        if (/^(`{3,}|~{3,})$/.test(tail))
          variants.push({ text: body.slice(0, lastNl), closes: { openLine: "", char: tail[0] as string, length: tail.length } });
      }
      for (const v of variants) {
        if (!original.startsWith(v.text, p)) continue;
        const end = p + v.text.length;
        let closes: OpenFence | null = null;
        if (v.closes) {
          const open = fenceStateAfter(original.slice(0, end));
          if (open === null || open.char !== v.closes.char || open.length !== v.closes.length) continue;
          closes = open;
        }
        out.push({ start: p, end, reopened, closed: closes !== null });
        if (visit(i + 1, end, closes)) return true;
        out.pop();
      }
    }
    return false;
  };

  return visit(0, 0, null) ? out : null;
}
