import { type ConversationAddress, decodeConversationKey as decodeKey, encodeConversationKey as encodeKey } from "../shared/conversation-key.js";
import { DM_WORKSPACE_ID } from "./limits.js";

/**
 * The identifiers the adapter hands the core. Guild conversations are threads: `channelId` is the thread's
 * parent and `threadId` the thread (which shares its id with the starter message). A DM channel is its own
 * thread, in the workspace "@dm". Dedupe keys contain no ":" (BullMQ job-id rule).
 */
export type DiscordConversationAddress = ConversationAddress;

const SNOWFLAKE = /^\d{1,20}$/;

/** "discord:<guild|@dm>:<channel>:<thread>" */
export function encodeConversationKey(address: DiscordConversationAddress): string {
  return encodeKey("discord", address);
}

/**
 * The inverse of `encodeConversationKey`; null for anything it did not produce.
 * @internal The core never decodes keys; the round-trip test proves the encoding is unambiguous (two threads never share a key).
 */
export function decodeConversationKey(key: string): DiscordConversationAddress | null {
  const address = decodeKey("discord", key);
  if (address === null) return null;
  const { workspaceId, channelId, threadId } = address;
  if (workspaceId !== DM_WORKSPACE_ID && !SNOWFLAKE.test(workspaceId)) return null;
  return SNOWFLAKE.test(channelId) && SNOWFLAKE.test(threadId) ? address : null;
}

/** Snowflakes are unique across Discord, so the id alone is the key. */
export function messageDedupeKey(messageId: string): string {
  return `discord-msg-${messageId}`;
}

export function interactionDedupeKey(interactionId: string): string {
  return `discord-int-${interactionId}`;
}
