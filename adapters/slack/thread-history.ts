import type { WebClient } from "@slack/web-api";
import type { ReplyTarget, ThreadHistoryMessage } from "../../src/contracts/messages.js";
import { callSlack } from "./errors.js";
import { mentionedUserIds, slackMarkupToMarkdown } from "./markup.js";
import type { SlackMessageEvent } from "./slack-payloads.js";
import type { UserDirectory } from "./user-directory.js";

// conversations.replies pages hold up to 1,000 messages; 200 keeps answers small. Ten pages is a long thread.
const PAGE_SIZE = 200;
const MAX_PAGES = 10;

/** Our own replies carry their full Markdown in `markdown` blocks (their `text` is a shortened fallback). */
function markdownBlocksOf(m: SlackMessageEvent): string | undefined {
  const parts = (m.blocks ?? []).filter((b) => b.type === "markdown" && typeof b.text === "string").map((b) => b.text as string);
  return parts.length > 0 ? parts.join("\n\n") : undefined;
}

function botNameOf(m: SlackMessageEvent): string | undefined {
  const profile = m.bot_profile as { name?: unknown } | undefined;
  return typeof profile?.name === "string" ? profile.name : undefined;
}

const SKIPPED_SUBTYPES = new Set(["channel_join", "channel_leave", "message_deleted", "tombstone"]);

/**
 * The thread so far (conversations.replies), oldest first, ending before `beforeMessageId` (the message being
 * answered is not included), at most `limit` messages, the most recent ones.
 */
export async function fetchSlackThreadHistory(
  client: WebClient,
  target: ReplyTarget,
  opts: { beforeMessageId: string; limit: number },
  ctx: { botUserId: string; users: UserDirectory },
): Promise<ThreadHistoryMessage[]> {
  if (target.threadId === undefined || opts.limit <= 0) return [];
  const before = Number(opts.beforeMessageId);
  const collected: SlackMessageEvent[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const res = await callSlack("conversations.replies", () =>
      client.conversations.replies({
        channel: target.channelId,
        ts: target.threadId as string,
        latest: opts.beforeMessageId,
        inclusive: false,
        limit: PAGE_SIZE,
        ...(cursor ? { cursor } : {}),
      }),
    );
    collected.push(...((res.messages ?? []) as SlackMessageEvent[]));
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) break;
  }
  const kept = collected
    .filter((m) => m.ts !== undefined && Number(m.ts) < before && !(m.subtype && SKIPPED_SUBTYPES.has(m.subtype)))
    .sort((a, b) => Number(a.ts) - Number(b.ts))
    .slice(-opts.limit);
  const humanIds = kept.filter((m) => !m.bot_id && m.user).map((m) => m.user as string);
  const names = await ctx.users.namesOf([...humanIds, ...kept.flatMap((m) => mentionedUserIds(m.text ?? ""))]);
  return kept.map((m) => {
    const isBot = m.bot_id !== undefined || m.user === ctx.botUserId;
    const userId = m.user ?? m.bot_id ?? "unknown";
    const markdown = markdownBlocksOf(m);
    return {
      author: { userId, displayName: (isBot ? botNameOf(m) : names[userId]) || userId },
      isBot,
      text: markdown ?? slackMarkupToMarkdown(m.text ?? "", { botUserId: ctx.botUserId, userNames: names }),
    };
  });
}
