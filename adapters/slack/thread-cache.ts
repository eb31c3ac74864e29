import type { ThreadLog, ThreadLogEntry } from "../../src/contracts/thread-log.js";
import type { NormalizeContext } from "./normalize.js";
import type { SlackMessageEvent } from "./slack-payloads.js";

/** Edits, deletions, joins and the assistant container's own thread roots are not messages of the conversation. */
const NOT_CONTENT = new Set(["message_changed", "message_deleted", "channel_join", "channel_leave", "tombstone", "assistant_app_thread"]);

/** One log per thread: team, channel and the thread's root ts (a top-level message is the root of its own). */
export function threadLogKey(teamId: string, channelId: string, threadTs: string): string {
  return `slack:${teamId}:${channelId}:${threadTs}`;
}

/**
 * Keeps a message event in its thread's log, whether or not the bot answers it: the chatter of a thread the bot
 * is later asked into is its context, and Slack's history API is the scarce way to get it (conversations.replies
 * for apps outside the Marketplace: 1 call a minute, 15 messages a call). Best effort: a failing write is
 * never a reason to refuse the event.
 */
export async function rememberSeen(log: ThreadLog, event: SlackMessageEvent, ctx: NormalizeContext): Promise<void> {
  if (event.type !== "message" || (event.subtype && NOT_CONTENT.has(event.subtype))) return;
  const { channel, ts } = event;
  const author = event.user ?? event.bot_id;
  // The bot's own posts are logged when it makes them, with their full Markdown (their event's text is a
  // shortened fallback).
  if (!channel || !ts || !author || !ctx.teamId || event.user === ctx.botUserId) return;
  const entry: ThreadLogEntry = {
    id: ts,
    order: Number(ts),
    userId: author,
    isBot: event.bot_id !== undefined || event.user === ctx.botUserId,
    text: event.text ?? "",
  };
  await log.record(threadLogKey(ctx.teamId, channel, event.thread_ts ?? ts), entry).catch(() => undefined);
}
