import type { ButtonAction } from "../../src/contracts/actions.js";
import type { InboundAttachment, InboundMessage, ReplyTarget } from "../../src/contracts/messages.js";
import type { ReactionEvent } from "../../src/contracts/reactions.js";
import { ignored, kept, type Normalized } from "../shared/normalized.js";
import { actionDedupeKey, encodeConversationKey, messageDedupeKey } from "./ids.js";
import { mentionedUserIds, slackMarkupToMarkdown } from "./markup.js";
import { slackReactionToReaction } from "./reactions.js";
import type { SlackBlockActionsBody, SlackFile, SlackMessageEvent, SlackReactionEvent } from "./slack-payloads.js";

/** What normalization needs to know about the bot and the deployment. */
export interface NormalizeContext {
  readonly botUserId: string;
  /** The workspace the bot token belongs to (auth.test). One token serves one workspace, so every key uses it. */
  readonly teamId: string;
  /** Empty: every channel. Direct messages are always allowed. */
  readonly allowedChannels: readonly string[];
  readonly userNames?: Readonly<Record<string, string>>;
}

// A reply also sent to the channel ("thread_broadcast") and a message with files are real questions; every
// other subtype is an edit, a deletion, a join, a bot post… and never one.
const ANSWERABLE_SUBTYPES = new Set(["file_share", "thread_broadcast"]);

const isDirectChannel = (channelId: string, channelType?: string) => (channelType !== undefined ? channelType === "im" : channelId.startsWith("D"));

function isChannelAllowed(ctx: NormalizeContext, channelId: string, isDm: boolean): boolean {
  return isDm || ctx.allowedChannels.length === 0 || ctx.allowedChannels.includes(channelId);
}

/**
 * Slack "1712345678.000100" (seconds) → ISO 8601; falls back when the value is not a timestamp.
 * @internal Exported for its unit test.
 */
export function slackTsToIso(ts: string | undefined, fallback: string): string {
  const seconds = Number(ts);
  return ts !== undefined && Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : fallback;
}

/**
 * Audio clips recorded in Slack are MP4/AAC (sometimes labelled video/mp4) or WebM: report them as audio so
 * the core picks speech-to-text, keeping the container the bytes really are.
 */
export function normalizeSlackFile(file: SlackFile): InboundAttachment | null {
  const ref = file.url_private_download ?? file.url_private;
  if (file.id === undefined || ref === undefined || file.mode === "tombstone" || file.mode === "hidden_by_limit") return null;
  const isVoiceNote = file.subtype === "slack_audio" || file.media_display_type === "audio";
  let mimeType = file.mimetype || "application/octet-stream";
  if (isVoiceNote && mimeType.startsWith("video/")) mimeType = `audio/${mimeType.slice("video/".length)}`;
  return {
    id: file.id,
    name: file.name || file.title || `${file.id}.${file.filetype ?? "bin"}`,
    mimeType,
    sizeBytes: typeof file.size === "number" && file.size >= 0 ? file.size : 0,
    isVoiceNote,
    ref,
  };
}

function displayNameOf(event: SlackMessageEvent, userId: string, ctx: NormalizeContext): string {
  const p = event.user_profile;
  return p?.display_name || p?.real_name || ctx.userNames?.[userId] || p?.name || userId;
}

/**
 * An `app_mention` or `message` event → the message the core may answer, or why it is not for the bot:
 * bots (us included), edits/deletions and other subtypes, channels outside the allow-list, and channel
 * messages that neither mention the bot nor sit in a thread. Thread replies without a mention are kept:
 * the core knows whether the thread is one of the bot's conversations.
 */
export function normalizeMessageEvent(event: SlackMessageEvent, ctx: NormalizeContext, receivedAt: string): Normalized<InboundMessage> {
  if (event.type !== "message" && event.type !== "app_mention") return ignored("unsupported_event");
  const { user, channel, ts } = event;
  if (user === ctx.botUserId) return ignored("own_message");
  if (event.bot_id !== undefined || event.bot_profile !== undefined || event.subtype === "bot_message") return ignored("bot_author");
  if (event.subtype !== undefined && !ANSWERABLE_SUBTYPES.has(event.subtype)) return ignored("system_message");
  if (user === undefined || channel === undefined || ts === undefined) return ignored("incomplete");

  const isDm = isDirectChannel(channel, event.channel_type);
  if (!isChannelAllowed(ctx, channel, isDm)) return ignored("channel_not_allowed");

  const raw = event.text ?? "";
  const mentioned = mentionedUserIds(raw);
  const mentionsBot = event.type === "app_mention" || mentioned.includes(ctx.botUserId);
  const mentionsOthers = mentioned.some((id) => id !== ctx.botUserId) || /<!subteam\^/.test(raw);
  const inExistingThread = event.thread_ts !== undefined && event.thread_ts !== ts;
  if (!isDm && !mentionsBot && !inExistingThread) return ignored("not_addressed");

  const threadTs = event.thread_ts ?? ts;
  const replyTarget: ReplyTarget = {
    platform: "slack",
    workspaceId: ctx.teamId,
    channelId: channel,
    threadId: threadTs,
    hints: {
      channelType: event.channel_type ?? (isDm ? "im" : "channel"),
      recipientTeamId: event.user_team ?? event.team ?? ctx.teamId,
    },
  };
  return kept({
    platform: "slack",
    messageId: ts,
    dedupeKey: messageDedupeKey(ctx.teamId, channel, ts),
    conversationKey: encodeConversationKey({ workspaceId: ctx.teamId, channelId: channel, threadId: threadTs }),
    replyTarget,
    author: { userId: user, displayName: displayNameOf(event, user, ctx) },
    text: slackMarkupToMarkdown(raw, { botUserId: ctx.botUserId, ...(ctx.userNames ? { userNames: ctx.userNames } : {}) }),
    isDirectMessage: isDm,
    mentionsBot,
    mentionsOthers,
    inExistingThread,
    attachments: (event.files ?? []).map(normalizeSlackFile).filter((a): a is InboundAttachment => a !== null),
    receivedAt,
  });
}

/** `reaction_added` / `reaction_removed` on a message → ReactionEvent (reaction null for emoji other than 👍/👎). */
export function normalizeReactionEvent(event: SlackReactionEvent, ctx: NormalizeContext, receivedAt: string): Normalized<ReactionEvent> {
  if (event.type !== "reaction_added" && event.type !== "reaction_removed") return ignored("unsupported_event");
  const { item, user, reaction } = event;
  if (item?.type !== "message") return ignored("unsupported_event");
  if (item.channel === undefined || item.ts === undefined || user === undefined || reaction === undefined) return ignored("incomplete");
  if (!isChannelAllowed(ctx, item.channel, isDirectChannel(item.channel))) return ignored("channel_not_allowed");
  return kept({
    platform: "slack",
    messageRef: { platform: "slack", workspaceId: ctx.teamId, channelId: item.channel, messageId: item.ts },
    userId: user,
    isBot: user === ctx.botUserId,
    added: event.type === "reaction_added",
    reaction: slackReactionToReaction(reaction),
    rawEmoji: reaction,
    occurredAt: slackTsToIso(event.event_ts, receivedAt),
  });
}

/** A `block_actions` interaction → one ButtonAction per clicked button (Slack sends one per click). */
export function normalizeBlockActions(body: SlackBlockActionsBody, ctx: NormalizeContext, receivedAt: string): Normalized<readonly ButtonAction[]> {
  if (body.type !== "block_actions") return ignored("unsupported_event");
  const userId = body.user?.id;
  const channelId = body.channel?.id ?? body.container?.channel_id;
  const messageTs = body.container?.message_ts ?? body.message?.ts;
  if (userId === undefined || channelId === undefined || messageTs === undefined) return ignored("incomplete");
  const isDm = isDirectChannel(channelId);
  if (!isChannelAllowed(ctx, channelId, isDm)) return ignored("channel_not_allowed");
  const threadTs = body.message?.thread_ts ?? body.container?.thread_ts ?? messageTs;
  const replyTarget: ReplyTarget = {
    platform: "slack",
    workspaceId: ctx.teamId,
    channelId,
    threadId: threadTs,
    hints: { channelType: isDm ? "im" : "channel", recipientTeamId: body.user?.team_id ?? ctx.teamId },
  };
  const user = { userId, displayName: ctx.userNames?.[userId] || body.user?.name || body.user?.username || userId };
  const actions = (body.actions ?? [])
    .filter((a) => a.type === "button" && (a.action_id !== undefined || a.value !== undefined))
    .map((a) => ({
      platform: "slack" as const,
      actionId: (a.action_id ?? a.value) as string,
      user,
      messageRef: { platform: "slack" as const, workspaceId: ctx.teamId, channelId, messageId: messageTs, threadId: threadTs },
      conversationKey: encodeConversationKey({ workspaceId: ctx.teamId, channelId, threadId: threadTs }),
      replyTarget,
      dedupeKey: actionDedupeKey(ctx.teamId, body.trigger_id ?? a.action_ts ?? messageTs, userId),
      receivedAt,
    }));
  return actions.length > 0 ? kept(actions) : ignored("unsupported_event");
}
