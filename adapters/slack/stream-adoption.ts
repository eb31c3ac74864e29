import type { PostKey } from "../../src/contracts/chat-platform.js";
import { PlatformRateLimitError, PlatformValidationError } from "../../src/contracts/errors.js";
import type { MessageRef, ReplyTarget } from "../../src/contracts/messages.js";
import { callSlack } from "./errors.js";
import { postKeyMetadata, readPostKey } from "./post-keys.js";
import type { HistoryBackoff } from "./thread-history.js";
import type { SlackWorkspace } from "./workspaces.js";

// Only the replies after the question are read: a few messages, within the 15 a page that Slack allows apps
// outside the Marketplace.
const PAGE_SIZE = 15;
const MAX_PAGES = 10;

interface ReplyMessage {
  readonly ts?: string;
  readonly bot_id?: string;
  readonly user?: string;
  readonly subtype?: string;
  readonly files?: readonly unknown[];
  readonly metadata?: { readonly event_type?: string; readonly event_payload?: Record<string, unknown> };
}

/**
 * The message an interrupted run of `turnId` streamed into (see `NativeStreaming.adoptInterrupted`).
 * chat.startStream takes no metadata, and what conversations.replies returns for a message still streaming is not
 * documented beyond the fields of any message: it is read as an ordinary bot message without metadata. So the
 * newest of this bot's replies after the question that carries this turn's key, or no key and no files (an
 * upload is never a stream), is the one. A stream still open is stopped with the turn's key: from then on it is
 * an ordinary message the answer can be edited into (chat.update refuses a message that is streaming), and a
 * later run finds it by its key.
 */
export async function adoptInterruptedStream(
  ws: Pick<SlackWorkspace, "client" | "botUserId" | "botId">,
  backoff: HistoryBackoff,
  target: ReplyTarget,
  opts: { readonly turnId: string; readonly afterMessageId: string },
): Promise<MessageRef | undefined> {
  const threadTs = target.threadId;
  if (threadTs === undefined) return undefined;
  // conversations.replies is the scarce call (1 a minute outside the Marketplace): a refusal's Retry-After is kept.
  const waitMs = backoff.remainingMs(target.workspaceId);
  if (waitMs > 0) throw new PlatformRateLimitError("slack", waitMs);
  let found: { ts: string; key: PostKey | undefined } | undefined;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    let res: Awaited<ReturnType<typeof ws.client.conversations.replies>>;
    try {
      res = await callSlack("conversations.replies", () =>
        ws.client.conversations.replies({
          channel: target.channelId,
          ts: threadTs,
          oldest: opts.afterMessageId,
          inclusive: false,
          include_all_metadata: true,
          limit: PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        }),
      );
    } catch (err) {
      if (err instanceof PlatformRateLimitError) backoff.block(target.workspaceId, err.retryAfterMs);
      throw err;
    }
    for (const m of (res.messages ?? []) as ReplyMessage[]) {
      const isOurs = (ws.botId !== undefined && m.bot_id === ws.botId) || m.user === ws.botUserId;
      if (!m.ts || !isOurs || m.ts === threadTs || Number(m.ts) <= Number(opts.afterMessageId) || (m.files?.length ?? 0) > 0) continue;
      const key = readPostKey(m.metadata);
      // Another turn's message, or a message of this turn other than its first (continuations are found by key).
      if (m.metadata !== undefined && (key?.turnId !== opts.turnId || key.part !== 0)) continue;
      if (found === undefined || Number(m.ts) > Number(found.ts)) found = { ts: m.ts, key };
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) break;
  }
  if (found === undefined) return undefined;
  const ref: MessageRef = { platform: "slack", workspaceId: target.workspaceId, channelId: target.channelId, messageId: found.ts, threadId: threadTs };
  if (found.key === undefined) {
    try {
      await callSlack("chat.stopStream", () =>
        ws.client.chat.stopStream({ channel: target.channelId, ts: found.ts, metadata: postKeyMetadata({ turnId: opts.turnId, part: 0 }) }),
      );
    } catch (err) {
      // Refused as a stop (message_not_in_streaming_state: Slack ends a stream by itself after a few minutes, or
      // someone stopped it): an ordinary message already. Anything else is tried again with the job.
      if (!(err instanceof PlatformValidationError)) throw err;
    }
  }
  return ref;
}
