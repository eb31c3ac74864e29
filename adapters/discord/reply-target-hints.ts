import type { ReplyTarget } from "../../src/contracts/messages.js";

/**
 * The adapter-private hints a Discord `ReplyTarget` may carry. The core stores and passes them back untouched,
 * so they are plain strings.
 */
export const HINT = {
  /** Parent channel of the thread to create before the first post. */
  startThreadInChannel: "startThreadInChannel",
  /** Starter message of that thread; the thread gets the same id. */
  startThreadFromMessage: "startThreadFromMessage",
  threadName: "threadName",
  /** Channels where threads are impossible (voice/stage chat): answer as a reply to this message instead. */
  replyToMessage: "replyToMessage",
} as const;

export interface StartThreadHint {
  readonly parentChannelId: string;
  readonly starterMessageId: string;
  readonly name: string;
}

export function startThreadHint(target: ReplyTarget): StartThreadHint | null {
  const parentChannelId = target.hints?.[HINT.startThreadInChannel];
  const starterMessageId = target.hints?.[HINT.startThreadFromMessage];
  if (!parentChannelId || !starterMessageId) return null;
  return { parentChannelId, starterMessageId, name: target.hints?.[HINT.threadName] || "Conversation" };
}

export function replyToHint(target: ReplyTarget): string | null {
  return target.hints?.[HINT.replyToMessage] || null;
}
