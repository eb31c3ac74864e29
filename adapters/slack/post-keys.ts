import type { WebClient } from "@slack/web-api";
import type { PostedMessage, PostKey } from "../../src/contracts/chat-platform.js";
import type { ReplyTarget } from "../../src/contracts/messages.js";
import { callSlack } from "./errors.js";

/**
 * Every bot message of an answer carries its key as Slack message metadata
 * (https://docs.slack.dev/messaging/message-metadata): Slack keeps it on the message, chat.update leaves it in
 * place when the update carries none, and conversations.replies returns it with `include_all_metadata`. A worker
 * that died between chat.postMessage and recording its `ts` is followed by one that finds the message there.
 */
const EVENT_TYPE = "dify_bridge_reply";

// conversations.replies pages hold up to 1,000 messages; the bot's own replies are found within a few pages.
const PAGE_SIZE = 200;
const MAX_PAGES = 10;

/** The `metadata` argument of chat.postMessage for `key`. */
export function postKeyMetadata(key: PostKey): { event_type: string; event_payload: { turn_id: string; part: number } } {
  return { event_type: EVENT_TYPE, event_payload: { turn_id: key.turnId, part: key.part } };
}

type MessageMetadata = { readonly event_type?: string; readonly event_payload?: { readonly turn_id?: unknown; readonly part?: unknown } };

/** The post key a message's metadata carries, if it is one of ours. */
export function readPostKey(metadata: MessageMetadata | undefined): PostKey | undefined {
  const payload = metadata?.event_type === EVENT_TYPE ? metadata.event_payload : undefined;
  if (typeof payload?.turn_id !== "string" || typeof payload.part !== "number") return undefined;
  return { turnId: payload.turn_id, part: payload.part };
}

interface MetadataMessage {
  readonly ts?: string;
  readonly bot_id?: string;
  readonly user?: string;
  readonly subtype?: string;
  readonly metadata?: MessageMetadata;
}

/** This bot's messages in the thread whose metadata names `turnId`, oldest first. */
export async function findSlackPostedMessages(
  client: WebClient,
  target: ReplyTarget,
  turnId: string,
  bot: { readonly botId?: string; readonly botUserId: string },
): Promise<PostedMessage[]> {
  if (target.threadId === undefined) return [];
  const found: PostedMessage[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await callSlack("conversations.replies", () =>
      client.conversations.replies({
        channel: target.channelId,
        ts: target.threadId as string,
        include_all_metadata: true,
        limit: PAGE_SIZE,
        ...(cursor ? { cursor } : {}),
      }),
    );
    for (const m of (res.messages ?? []) as MetadataMessage[]) {
      const key = readPostKey(m.metadata);
      const isOurs = (bot.botId !== undefined && m.bot_id === bot.botId) || m.user === bot.botUserId;
      if (!m.ts || !isOurs || key?.turnId !== turnId) continue;
      found.push({
        key,
        ref: { platform: "slack", workspaceId: target.workspaceId, channelId: target.channelId, messageId: m.ts, threadId: target.threadId },
      });
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) break;
  }
  return found.sort((a, b) => Number(a.ref.messageId) - Number(b.ref.messageId));
}
