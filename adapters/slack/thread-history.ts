import type { WebClient } from "@slack/web-api";
import { PlatformRateLimitError } from "../../src/contracts/errors.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { ReplyTarget, ThreadHistoryMessage } from "../../src/contracts/messages.js";
import type { ThreadLog, ThreadLogEntry } from "../../src/contracts/thread-log.js";
import { callSlack } from "./errors.js";
import { mentionedUserIds, slackMarkupToMarkdown } from "./markup.js";
import type { SlackMessageEvent } from "./slack-payloads.js";
import { threadLogKey } from "./thread-cache.js";
import type { UserDirectory } from "./user-directory.js";

// conversations.replies pages hold up to 1,000 messages (15 for apps outside the Marketplace, which Slack
// then also holds to 1 call a minute); 200 keeps answers small. Ten pages is a long thread.
const PAGE_SIZE = 200;
const MAX_PAGES = 10;

// "assistant_app_thread": the root Slack creates when someone opens the assistant container ("Chats from …"),
// no one's words.
const SKIPPED_SUBTYPES = new Set(["channel_join", "channel_leave", "message_deleted", "tombstone", "assistant_app_thread"]);

/** Our own replies carry their full Markdown in `markdown` blocks (their `text` is a shortened fallback). */
function markdownBlocksOf(m: SlackMessageEvent): string | undefined {
  const parts = (m.blocks ?? []).filter((b) => b.type === "markdown" && typeof b.text === "string").map((b) => b.text as string);
  return parts.length > 0 ? parts.join("\n\n") : undefined;
}

function botNameOf(m: SlackMessageEvent): string | undefined {
  const profile = m.bot_profile as { name?: unknown } | undefined;
  return typeof profile?.name === "string" ? profile.name : undefined;
}

/** One message of the thread as both sources give it. */
interface Seen {
  readonly ts: string;
  readonly userId: string;
  readonly isBot: boolean;
  /** Markdown already (our own replies), or Slack mrkdwn to convert. */
  readonly text: string;
  readonly isMarkdown: boolean;
  readonly botName?: string | undefined;
}

function fromSlack(m: SlackMessageEvent, botUserId: string): Seen {
  const markdown = markdownBlocksOf(m);
  return {
    ts: m.ts as string,
    userId: m.user ?? m.bot_id ?? "unknown",
    isBot: m.bot_id !== undefined || m.user === botUserId,
    text: markdown ?? m.text ?? "",
    isMarkdown: markdown !== undefined,
    botName: botNameOf(m),
  };
}

function fromLog(e: ThreadLogEntry, botUserId: string): Seen {
  return { ts: e.id, userId: e.userId, isBot: e.isBot, text: e.text, isMarkdown: e.userId === botUserId };
}

/**
 * Until when Slack refused conversations.replies per workspace (its Retry-After), so a thread read in that
 * minute goes straight to what the log holds instead of spending another refused call. Per process: another
 * process learns it from its own first 429.
 */
export class HistoryBackoff {
  private readonly until = new Map<string, number>();

  blocked(workspaceId: string): boolean {
    const t = this.until.get(workspaceId);
    if (t === undefined) return false;
    if (Date.now() < t) return true;
    this.until.delete(workspaceId);
    return false;
  }

  /** How long Slack still refuses the workspace's reads (0: not blocked). */
  remainingMs(workspaceId: string): number {
    return this.blocked(workspaceId) ? Math.max(0, (this.until.get(workspaceId) ?? 0) - Date.now()) : 0;
  }

  block(workspaceId: string, retryAfterMs: number): void {
    if (this.until.size >= 10_000) this.until.clear();
    this.until.set(workspaceId, Date.now() + Math.max(1_000, retryAfterMs));
  }
}

export interface HistoryDeps {
  readonly client: WebClient;
  readonly botUserId: string;
  readonly users: UserDirectory;
  readonly log: ThreadLog | undefined;
  readonly backoff: HistoryBackoff;
  readonly logger: Logger;
}

/**
 * Reads Slack's pages of the thread older than `latest`, as many as Slack allows now. A refusal for the rate
 * limit ends the reading with what arrived (and blocks further reads for its Retry-After); `complete` says
 * whether the pages reached `latest`.
 */
async function readPages(deps: HistoryDeps, target: ReplyTarget, latest: string): Promise<{ messages: Seen[]; complete: boolean }> {
  const messages: Seen[] = [];
  if (deps.backoff.blocked(target.workspaceId)) return { messages, complete: false };
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    let res: Awaited<ReturnType<WebClient["conversations"]["replies"]>>;
    try {
      res = await callSlack("conversations.replies", () =>
        deps.client.conversations.replies({
          channel: target.channelId,
          ts: target.threadId as string,
          latest,
          inclusive: false,
          limit: PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        }),
      );
    } catch (err) {
      if (!(err instanceof PlatformRateLimitError)) throw err;
      deps.backoff.block(target.workspaceId, err.retryAfterMs);
      deps.logger.info(
        { platform: "slack", pages: page, retryAfterMs: err.retryAfterMs },
        "Slack limits conversations.replies; the context is what was read so far",
      );
      return { messages, complete: false };
    }
    const got = (res.messages ?? []) as SlackMessageEvent[];
    messages.push(...got.filter((m) => m.ts !== undefined && !(m.subtype && SKIPPED_SUBTYPES.has(m.subtype))).map((m) => fromSlack(m, deps.botUserId)));
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) return { messages, complete: true };
  }
  return { messages, complete: false };
}

/**
 * The thread so far, oldest first, ending before `beforeMessageId` (the message being answered is not
 * included), at most `limit` messages, the most recent ones. What the thread log already holds is used first:
 * when it reaches back to the thread's root no Slack call is made. Otherwise Slack's pages fill in the older
 * part, within its limits; what they cannot reach is marked as a gap (`gapBefore`) rather than failing.
 */
export async function fetchSlackThreadHistory(
  deps: HistoryDeps,
  target: ReplyTarget,
  opts: { beforeMessageId: string; limit: number },
): Promise<ThreadHistoryMessage[]> {
  if (target.threadId === undefined || opts.limit <= 0) return [];
  const before = Number(opts.beforeMessageId);
  const logged = deps.log
    ? (await deps.log.read(threadLogKey(target.workspaceId, target.channelId, target.threadId)).catch(() => [])).filter((e) => e.order < before)
    : [];
  const hasRoot = logged.some((e) => e.id === target.threadId);
  // Slack is asked only for what the log lacks: the messages older than the oldest one it holds.
  const oldestLogged = logged[0]?.id;
  const read = hasRoot ? { messages: [], complete: true } : await readPages(deps, target, oldestLogged ?? opts.beforeMessageId);
  const byTs = new Map<string, Seen>();
  for (const m of read.messages) byTs.set(m.ts, m);
  for (const e of logged) byTs.set(e.id, fromLog(e, deps.botUserId));
  const all = [...byTs.values()]
    .filter((m) => Number(m.ts) < before)
    .sort((a, b) => Number(a.ts) - Number(b.ts))
    .slice(-opts.limit);
  const kept = all.filter((m) => m.text.trim() !== "");
  // The pages stopped short: before the oldest logged message (or, with nothing logged, after the last page)
  // some messages were not read.
  const gapBefore = read.complete ? undefined : oldestLogged;
  const gapAfter = read.complete || oldestLogged !== undefined ? undefined : kept.at(-1)?.ts;
  // People, and bots the log kept without a profile name (the bot's own answers): users.info names both.
  const humanIds = kept.filter((m) => !m.isBot || (m.botName === undefined && m.userId.startsWith("U"))).map((m) => m.userId);
  const names = await deps.users.namesOf([...new Set([...humanIds, ...kept.flatMap((m) => (m.isMarkdown ? [] : mentionedUserIds(m.text)))])]);
  return kept.map((m) => ({
    author: { userId: m.userId, displayName: (m.isBot ? (m.botName ?? names[m.userId]) : names[m.userId]) || m.userId },
    isBot: m.isBot,
    text: m.isMarkdown ? m.text : slackMarkupToMarkdown(m.text, { botUserId: deps.botUserId, userNames: names }),
    ...(m.ts === gapBefore ? { gap: "before" as const } : {}),
    ...(m.ts === gapAfter ? { gap: "after" as const } : {}),
  }));
}
