import { DM_WORKSPACE_ID } from "./limits.js";

/**
 * Where a Discord conversation lives. Guild conversations are threads: `channelId` is the thread's parent and
 * `threadId` the thread (which shares its id with the starter message). A DM channel is its own thread.
 */
export interface DiscordConversationAddress {
  /** Guild id, or "@dm". */
  readonly workspaceId: string;
  readonly channelId: string;
  readonly threadId: string;
}

const SNOWFLAKE = /^\d{1,20}$/;

/** "discord:<guild|@dm>:<channel>:<thread>" */
export function encodeConversationKey(address: DiscordConversationAddress): string {
  return `discord:${address.workspaceId}:${address.channelId}:${address.threadId}`;
}

/**
 * The inverse of `encodeConversationKey`; null for anything it did not produce.
 * @internal The core never decodes keys; the round-trip test proves the encoding is unambiguous (two threads never share a key).
 */
export function decodeConversationKey(key: string): DiscordConversationAddress | null {
  const parts = key.split(":");
  if (parts.length !== 4 || parts[0] !== "discord") return null;
  const [, workspaceId, channelId, threadId] = parts as [string, string, string, string];
  if (workspaceId !== DM_WORKSPACE_ID && !SNOWFLAKE.test(workspaceId)) return null;
  if (!SNOWFLAKE.test(channelId) || !SNOWFLAKE.test(threadId)) return null;
  return { workspaceId, channelId, threadId };
}

/** Idempotency keys contain no ":" (BullMQ job-id rule); snowflakes are unique across Discord. */
export function messageDedupeKey(messageId: string): string {
  return `discord-msg-${messageId}`;
}

export function interactionDedupeKey(interactionId: string): string {
  return `discord-int-${interactionId}`;
}
