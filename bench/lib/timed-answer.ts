import type { ChatStep } from "../../test/fakes/dify/index.js";
import { steps } from "../../test/fakes/dify/index.js";
import { now } from "./stats.js";

/** When each piece of an answer left the fake Dify, so display lag can be measured per character. */
export interface TimedAnswer {
  readonly text: string;
  /** Cumulative characters emitted, and when (ms, benchmark clock). */
  readonly emitted: Array<{ readonly at: number; readonly chars: number }>;
  messageEndAt: number | undefined;
}

/** A realistic answer of exactly `tokens` × 4 characters (code points): words and sentences, multi-byte included. */
export function answerText(tokens: number, seed: number): string {
  const target = tokens * 4;
  let text = "";
  for (let round = 0; Array.from(text).length < target; round++) text += `${text ? " " : ""}${words(tokens, seed + round * 7919)}`;
  const cut = Array.from(text).slice(0, target);
  // Never end on whitespace (the bridge trims the final answer); pad with a visible character instead.
  while (cut.length && /\s/.test(cut[cut.length - 1] as string)) cut[cut.length - 1] = ".";
  return cut.join("");
}

function words(tokens: number, seed: number): string {
  const words = [
    "The",
    "handbook",
    "says",
    "requests",
    "go",
    "through",
    "the",
    "portal,",
    "and",
    "approvals",
    "take",
    "two",
    "days.",
    "Überstunden",
    "werden",
    "erfasst.",
    "休暇",
    "申請",
    "😀",
    "**note**",
    "`code`",
    "\n\n",
  ];
  const out: string[] = [];
  let x = seed;
  for (let i = 0; i < tokens; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(words[x % words.length] as string);
  }
  return out
    .join(" ")
    .replace(/ \n\n /g, "\n\n")
    .trim();
}

/**
 * A chat script that streams `text` in `tokenChars`-character tokens at `tokensPerSecond`, recording when each
 * token was handed to the fake server (it writes it at once) and when `message_end` was.
 */
export function timedAnswer(
  text: string,
  opts: { tokenChars?: number; tokensPerSecond?: number } = {},
): { answer: TimedAnswer; script: () => AsyncGenerator<ChatStep> } {
  const answer: TimedAnswer = { text, emitted: [], messageEndAt: undefined };
  const chars = Array.from(text);
  const size = opts.tokenChars ?? 4;
  const gapMs = 1000 / (opts.tokensPerSecond ?? 50);
  async function* script(): AsyncGenerator<ChatStep> {
    const start = now();
    let sent = 0;
    for (let i = 0; i < chars.length; i += size) {
      // Pace against the start time, not the previous token, so timer drift does not accumulate.
      const due = start + (i / size) * gapMs;
      const wait = due - now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const piece = chars.slice(i, i + size).join("");
      sent += piece.length;
      answer.emitted.push({ at: now(), chars: sent });
      yield steps.message(piece);
    }
    answer.messageEndAt = now();
    yield steps.messageEnd();
  }
  return { answer, script };
}
