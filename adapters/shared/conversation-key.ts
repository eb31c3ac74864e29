import type { PlatformId } from "../../src/contracts/messages.js";

/** Where a conversation lives; each adapter says what its parts are (Slack: team, channel, thread ts). */
export interface ConversationAddress {
  readonly workspaceId: string;
  readonly channelId: string;
  readonly threadId: string;
}

/**
 * "<platform>:<workspace>:<channel>:<thread>", the one key format of every adapter. The parts never contain
 * ":" (Slack and Discord ids do not), which is what makes the key decodable.
 */
export function encodeConversationKey(platform: PlatformId, address: ConversationAddress): string {
  return `${platform}:${address.workspaceId}:${address.channelId}:${address.threadId}`;
}

/** The inverse of `encodeConversationKey`: null for another platform's key or a malformed one. */
export function decodeConversationKey(platform: PlatformId, key: string): ConversationAddress | null {
  const parts = key.split(":");
  if (parts.length !== 4 || parts[0] !== platform) return null;
  const [, workspaceId, channelId, threadId] = parts as [string, string, string, string];
  if (workspaceId === "" || channelId === "" || threadId === "") return null;
  return { workspaceId, channelId, threadId };
}
