import type { RateOp, StreamTasks, TaskCard } from "../contracts/chat-platform.js";
import type { MessageContent, MessageRef } from "../contracts/messages.js";
import { type ReplyLayout, sameContent } from "./reply-layout.js";

/** One platform call that brings the shown reply closer to the desired one. */
export type ReplyOperation =
  | {
      readonly kind: "post" | "edit";
      readonly index: number;
      readonly content: MessageContent;
      /** A routine update of the growing message: paced, and skipped when the budget is busy. */
      readonly routine: boolean;
      readonly showsText: boolean;
    }
  | { readonly kind: "nativeStart"; readonly content: MessageContent; readonly tasks?: StreamTasks | undefined }
  | {
      readonly kind: "append";
      readonly index: number;
      readonly delta: string;
      readonly content: MessageContent;
      /** The cards that changed since the last call (undefined: none). */
      readonly tasks?: StreamTasks | undefined;
    }
  | { readonly kind: "nativeStop"; readonly index: number; readonly content: MessageContent; readonly tasks?: StreamTasks | undefined }
  | { readonly kind: "delete"; readonly index: number }
  /** The thread's status line (no message yet: see `AssistantSurface`). */
  | { readonly kind: "status"; readonly index: 0; readonly content: MessageContent };

/** A message of the reply as the platform shows it. */
export interface ShownPart {
  ref: MessageRef | null;
  shown: MessageContent | undefined;
  /** "status": no message yet, `shown` is on the thread's status line. */
  mode: "edit" | "native" | "status";
  /** Native mode: the text appended to the stream so far. */
  appended: string;
  /** Native mode: each task card as last sent (JSON by id), and the plan title sent. */
  sentTasks?: Record<string, string>;
  sentPlan?: string;
}

/** What the reply should show, and what is known about how to show it. */
export interface ReplyGoal {
  readonly desired: ReplyLayout;
  /** The streaming layout without preview fences, for append-only (native) parts. */
  readonly desiredRaw: readonly string[];
  readonly isFinal: boolean;
  /** The goal holds answer text (not just the placeholder or a progress line). */
  readonly hasText: boolean;
  /** Answer text has already been shown once. */
  readonly textShown: boolean;
  /** Whether the first text starts a native stream; undefined while the mode is not chosen. */
  readonly native: boolean | undefined;
  /** Work cards for a native stream (undefined: none are shown). Cards alone may start the stream. */
  readonly tasks?: StreamTasks | undefined;
}

/** The cards (and plan title) of `desired` that differ from what `part` was sent; undefined when none do. */
function changedTasks(part: Pick<ShownPart, "sentTasks" | "sentPlan">, desired: StreamTasks | undefined): StreamTasks | undefined {
  if (!desired) return undefined;
  const sent = part.sentTasks ?? {};
  const tasks: TaskCard[] = desired.tasks.filter((t) => sent[t.id] !== JSON.stringify(t));
  const plan = desired.plan !== undefined && desired.plan !== part.sentPlan ? desired.plan : undefined;
  if (tasks.length === 0 && plan === undefined) return undefined;
  return { ...(plan !== undefined ? { plan } : {}), tasks };
}

/**
 * The next operation, front to back: the first message that differs from the goal gets the call. Pure, so the
 * streamer can ask again at any moment (text that arrived while a budget was checked). "chooseMode" means the
 * next update is the first text and the stream mode must be chosen before it can be said what to send.
 */
export function nextOperation(parts: readonly ShownPart[], goal: ReplyGoal): ReplyOperation | "chooseMode" | null {
  const { desired, isFinal, hasText } = goal;
  const last = desired.length - 1;
  for (let i = 0; i <= last; i++) {
    const want = desired[i] as MessageContent;
    const part = parts[i];
    // Messages before the last one, and every message once final, no longer grow.
    const frozen = isFinal || i < last;
    // The first content of the reply: text, or work cards where a native stream could show them.
    const starts = i === 0 && !goal.textShown && !isFinal && (hasText || (goal.tasks !== undefined && goal.tasks.tasks.length > 0 && goal.native !== false));
    if (part?.mode === "status") {
      if (starts) {
        if (goal.native === undefined) return "chooseMode";
        if (goal.native) return { kind: "nativeStart", content: { markdown: hasText ? (goal.desiredRaw[0] ?? want.markdown) : "" }, tasks: goal.tasks };
      }
      if (hasText || isFinal) return { kind: "post", index: i, content: want, routine: false, showsText: hasText };
      if (part.shown?.markdown === want.markdown) continue;
      return { kind: "status", index: 0, content: want };
    }
    if (!part?.ref) return { kind: "post", index: i, content: want, routine: false, showsText: hasText };
    if (part.mode === "native") {
      const raw = isFinal ? want.markdown : (goal.desiredRaw[i] ?? want.markdown);
      const tasks = i === last ? changedTasks(part, goal.tasks) : undefined;
      if (frozen || !raw.startsWith(part.appended)) return { kind: "nativeStop", index: i, content: want, tasks };
      if (raw !== part.appended || tasks) return { kind: "append", index: i, delta: raw.slice(part.appended.length), content: { markdown: raw }, tasks };
      continue;
    }
    if (sameContent(part.shown, want)) continue;
    const firstText = i === 0 && !goal.textShown && hasText;
    if (starts) {
      if (goal.native === undefined) return "chooseMode";
      if (goal.native) return { kind: "nativeStart", content: { markdown: hasText ? (goal.desiredRaw[0] ?? want.markdown) : "" }, tasks: goal.tasks };
    }
    return { kind: "edit", index: i, content: want, routine: !frozen && !firstText, showsText: hasText };
  }
  if (isFinal && parts.length > desired.length) return { kind: "delete", index: parts.length - 1 };
  return null;
}

/** The budget an operation spends. */
export function rateOpOf(op: ReplyOperation): RateOp {
  switch (op.kind) {
    case "post":
      return "post";
    case "edit":
      return "edit";
    case "delete":
      return "delete";
    case "nativeStart":
      return "streamStart";
    case "append":
      return "streamAppend";
    case "nativeStop":
      return "streamStop";
    case "status":
      return "status";
  }
}
