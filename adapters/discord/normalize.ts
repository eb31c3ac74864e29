import { ChannelType, MessageType } from "discord.js";
import type { InboundAttachment, InboundMessage, ReplyTarget } from "../../src/contracts/messages.js";
import { type IgnoreReason, ignored, kept, type Normalized } from "../shared/normalized.js";
import { encodeConversationKey, messageDedupeKey } from "./ids.js";
import { DISCORD_LIMITS, DM_WORKSPACE_ID, IS_VOICE_MESSAGE_FLAG } from "./limits.js";
import { scanMentions } from "./mentions.js";
import { type DiscordMessageSnapshot, FORUM_CHANNEL_TYPES, THREAD_CHANNEL_TYPES, THREADABLE_CHANNEL_TYPES } from "./message-snapshot.js";
import { HINT } from "./reply-target-hints.js";

export interface NormalizeContext {
  readonly botUserId: string;
  readonly allowedGuilds: readonly string[];
  readonly allowedChannels: readonly string[];
  readonly allowDirectMessages: boolean;
}

const CONVERSATION_MESSAGE_TYPES: ReadonlySet<number> = new Set([MessageType.Default, MessageType.Reply]);

/**
 * One gateway message → the `InboundMessage` the core expects, or why it is not for the bot. Keeps mentions,
 * DMs and every readable thread message (the core knows which threads are conversations).
 */
export function normalizeMessage(snap: DiscordMessageSnapshot, ctx: NormalizeContext): Normalized<InboundMessage> {
  // Discord dispatches our own posts and edits back to us.
  if (snap.author.id === ctx.botUserId) return ignored("own_message");
  if (snap.author.isBot || snap.webhookId !== null) return ignored("bot_author");
  if (snap.author.isSystem || !CONVERSATION_MESSAGE_TYPES.has(snap.type)) return ignored("system_message");

  const scan = scanMentions(snap.content, {
    botUserId: ctx.botUserId,
    botRoleIds: new Set(snap.mentionedRoles.filter((r) => r.botId === ctx.botUserId).map((r) => r.id)),
    users: new Map(snap.mentionedUsers.map((u) => [u.id, u.displayName])),
    roles: new Map(snap.mentionedRoles.map((r) => [r.id, r.name])),
    channels: new Map(snap.mentionedChannels.map((c) => [c.id, c.name])),
  });
  // A post that speaks to someone else (mentions them, not the bot) stays theirs, as any thread message would.
  const addressedPost = isStarterOfListedForumPost(snap, ctx) && !scan.mentionsOthers;
  const mentionsBot = scan.mentionsBot || snap.repliedUserId === ctx.botUserId || addressedPost;
  const mentionsOthers = scan.mentionsOthers || (snap.repliedUserId !== null && snap.repliedUserId !== ctx.botUserId);
  const forwarded = snap.forwarded ?? [];
  const attachments = [...snap.attachments, ...forwarded.flatMap((f) => f.attachments)].map((a) => toAttachment(a, snap.flags));
  // Without the Message Content intent, unaddressed guild messages arrive empty: nothing to answer.
  if (scan.text === "" && attachments.length === 0 && !forwarded.some((f) => f.content.trim() !== "") && !mentionsBot) return ignored("unreadable");

  const place = locate(snap, ctx, mentionsBot, scan.text, attachments);
  if ("reason" in place) return ignored(place.reason);

  return kept({
    platform: "discord",
    messageId: snap.id,
    dedupeKey: messageDedupeKey(snap.id),
    conversationKey: place.conversationKey,
    replyTarget: place.replyTarget,
    author: { userId: snap.author.id, displayName: snap.author.displayName },
    text: withForwarded(scan.text, forwarded),
    isDirectMessage: place.isDirectMessage,
    mentionsBot,
    mentionsOthers,
    inExistingThread: place.inExistingThread,
    attachments,
    receivedAt: snap.createdAt,
  });
}

/** A forward is read as the question: the forwarded text, quoted, after whatever the sender added. */
function withForwarded(text: string, forwarded: NonNullable<DiscordMessageSnapshot["forwarded"]>): string {
  const parts = forwarded.map((f) => f.content.trim()).filter((c) => c !== "");
  if (parts.length === 0) return text;
  const quoted = parts.map((c) => `Forwarded message:\n${c.replace(/^/gm, "> ")}`).join("\n\n");
  return text.trim() === "" ? quoted : `${text}\n\n${quoted}`;
}

/**
 * A forum post opens with its own message, which has the post's (thread's) id. In a forum the operator listed by
 * id in DISCORD_ALLOWED_CHANNELS every post is addressed to the bot, as if it mentioned it; elsewhere a post is
 * answered only when its message mentions the bot. (An empty allow-list allows every channel but lists no forum,
 * so it never makes the bot answer every post of every forum.)
 */
function isStarterOfListedForumPost(snap: DiscordMessageSnapshot, ctx: NormalizeContext): boolean {
  return isForumPostStarter(snap) && snap.channel.parentId !== null && ctx.allowedChannels.includes(snap.channel.parentId);
}

function isForumPostStarter(snap: DiscordMessageSnapshot): boolean {
  const { channel } = snap;
  return THREAD_CHANNEL_TYPES.has(channel.type) && FORUM_CHANNEL_TYPES.has(channel.parentType ?? -1) && snap.id === channel.id;
}

interface Place {
  readonly conversationKey: string;
  readonly replyTarget: ReplyTarget;
  readonly isDirectMessage: boolean;
  readonly inExistingThread: boolean;
}

function locate(
  snap: DiscordMessageSnapshot,
  ctx: NormalizeContext,
  mentionsBot: boolean,
  text: string,
  attachments: readonly InboundAttachment[],
): Place | { reason: IgnoreReason } {
  const { channel } = snap;
  if (channel.guildId === null) {
    if (channel.type !== ChannelType.DM) return { reason: "unsupported_channel" };
    if (!ctx.allowDirectMessages) return { reason: "dm_not_allowed" };
    return {
      conversationKey: encodeConversationKey({ workspaceId: DM_WORKSPACE_ID, channelId: channel.id, threadId: channel.id }),
      replyTarget: { platform: "discord", workspaceId: DM_WORKSPACE_ID, channelId: channel.id },
      isDirectMessage: true,
      inExistingThread: false,
    };
  }

  const guildId = channel.guildId;
  if (!isGuildAllowed(ctx.allowedGuilds, guildId)) return { reason: "guild_not_allowed" };

  if (THREAD_CHANNEL_TYPES.has(channel.type)) {
    const parentId = channel.parentId ?? channel.id;
    if (!channelAllowed(ctx, parentId, channel.id)) return { reason: "channel_not_allowed" };
    return {
      conversationKey: encodeConversationKey({ workspaceId: guildId, channelId: parentId, threadId: channel.id }),
      replyTarget: { platform: "discord", workspaceId: guildId, channelId: channel.id },
      isDirectMessage: false,
      // Best effort: a thread the bot did not create had a life before the bot was asked. A forum post's opening
      // message is the first of its thread: nothing came before it.
      inExistingThread: !isForumPostStarter(snap) && channel.threadOwnerId !== ctx.botUserId,
    };
  }

  if (!channelAllowed(ctx, channel.id)) return { reason: "channel_not_allowed" };
  if (!mentionsBot) return { reason: "not_addressed" };

  if (THREADABLE_CHANNEL_TYPES.has(channel.type)) {
    // The thread will share the starter message's id, so the conversation can be named before it exists.
    return {
      conversationKey: encodeConversationKey({ workspaceId: guildId, channelId: channel.id, threadId: snap.id }),
      replyTarget: {
        platform: "discord",
        workspaceId: guildId,
        channelId: snap.id,
        hints: {
          [HINT.startThreadInChannel]: channel.id,
          [HINT.startThreadFromMessage]: snap.id,
          [HINT.threadName]: threadName(text, attachments, snap.author.displayName),
        },
      },
      isDirectMessage: false,
      inExistingThread: false,
    };
  }

  // Voice and stage text chats cannot hold threads: answer there, as a reply, one conversation per mention.
  return {
    conversationKey: encodeConversationKey({ workspaceId: guildId, channelId: channel.id, threadId: snap.id }),
    replyTarget: { platform: "discord", workspaceId: guildId, channelId: channel.id, hints: { [HINT.replyToMessage]: snap.id } },
    isDirectMessage: false,
    inExistingThread: false,
  };
}

/** A DM (no guild) is never filtered by the guild allow-list; an empty list allows every guild. */
export function isGuildAllowed(allowedGuilds: readonly string[], guildId: string | null | undefined): boolean {
  return !guildId || allowedGuilds.length === 0 || allowedGuilds.includes(guildId);
}

function channelAllowed(ctx: NormalizeContext, ...ids: string[]): boolean {
  return ctx.allowedChannels.length === 0 || ids.some((id) => ctx.allowedChannels.includes(id));
}

function toAttachment(a: DiscordMessageSnapshot["attachments"][number], flags: number): InboundAttachment {
  const mimeType = a.contentType ?? "application/octet-stream";
  // A voice message is a single Ogg/Opus attachment on a message flagged IS_VOICE_MESSAGE; other audio is a file.
  const isVoiceNote = (flags & IS_VOICE_MESSAGE_FLAG) !== 0 && (mimeType.startsWith("audio/") || /\.ogg$/i.test(a.name));
  return {
    id: a.id,
    name: a.name,
    mimeType: isVoiceNote ? "audio/ogg" : mimeType,
    sizeBytes: a.sizeBytes,
    isVoiceNote,
    ref: a.url,
  };
}

/**
 * A readable thread title from the question: its first line, cut at a word boundary, at most 100 characters.
 */
export function threadName(text: string, attachments: readonly InboundAttachment[], authorName: string): string {
  const max = DISCORD_LIMITS.threadNameLength;
  const firstLine = text
    .split("\n")
    .map((l) =>
      l
        .replace(/[`*_~|>#]+/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    )
    .find((l) => l.length > 0);
  const base = firstLine ?? (attachments[0]?.isVoiceNote ? `Voice message from ${authorName}` : attachments[0]?.name) ?? `Conversation with ${authorName}`;
  const chars = [...base];
  if (chars.length <= max) return base;
  const cut = chars.slice(0, max - 1).join("");
  const atWord = cut.replace(/\s+\S*$/, "");
  return `${atWord.length >= max / 2 ? atWord : cut}…`;
}
