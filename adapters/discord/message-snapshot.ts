import { ChannelType, type Message } from "discord.js";

/**
 * The plain facts about one gateway message that normalization needs. Extracted from discord.js structures
 * (which resolve thread parents, owners and roles from the gateway cache) so that `normalize.ts` stays pure and
 * is tested with JSON fixtures.
 */
type SnapshotAttachment = {
  readonly id: string;
  readonly name: string;
  readonly contentType: string | null;
  readonly sizeBytes: number;
  readonly url: string;
};

export interface DiscordMessageSnapshot {
  readonly id: string;
  /** MessageType: 0 default, 19 reply; everything else is a system message. */
  readonly type: number;
  readonly flags: number;
  readonly content: string;
  readonly createdAt: string;
  readonly webhookId: string | null;
  readonly author: {
    readonly id: string;
    readonly username: string;
    /** Server nickname, else global name, else username. */
    readonly displayName: string;
    readonly isBot: boolean;
    readonly isSystem: boolean;
  };
  readonly channel: {
    readonly id: string;
    /** ChannelType; 1 = DM. */
    readonly type: number;
    readonly guildId: string | null;
    /** For threads: the channel the thread belongs to. */
    readonly parentId: string | null;
    /** For threads: who created it (null when unknown). */
    readonly threadOwnerId: string | null;
    /** For threads: the parent channel's ChannelType (15 = forum), null when not cached. */
    readonly parentType?: number | null;
  };
  readonly mentionedUsers: readonly { readonly id: string; readonly displayName: string }[];
  readonly mentionedRoles: readonly { readonly id: string; readonly name: string; readonly botId: string | null }[];
  readonly mentionedChannels: readonly { readonly id: string; readonly name: string }[];
  /** The message is a reply that pings the author of the replied-to message. */
  readonly repliedUserId: string | null;
  readonly attachments: readonly SnapshotAttachment[];
  /** Forwarded messages (Discord's `message_snapshots`): their text and files are part of the question. */
  readonly forwarded?: readonly { readonly content: string; readonly attachments: readonly SnapshotAttachment[] }[];
}

export function snapshotMessage(message: Message): DiscordMessageSnapshot {
  const channel = message.channel;
  const isThread = channel.isThread();
  return {
    id: message.id,
    type: message.type,
    flags: message.flags.bitfield,
    content: message.content ?? "",
    createdAt: new Date(message.createdTimestamp).toISOString(),
    webhookId: message.webhookId ?? null,
    author: {
      id: message.author.id,
      username: message.author.username,
      displayName: message.member?.displayName ?? message.author.globalName ?? message.author.username,
      isBot: message.author.bot === true,
      isSystem: message.author.system === true || message.system,
    },
    channel: {
      id: channel.id,
      type: channel.type,
      guildId: message.guildId ?? null,
      parentId: isThread ? channel.parentId : null,
      threadOwnerId: isThread ? channel.ownerId : null,
      parentType: isThread ? (channel.parent?.type ?? null) : null,
    },
    mentionedUsers: [...message.mentions.users.values()].map((u) => ({
      id: u.id,
      displayName: message.mentions.members?.get(u.id)?.displayName ?? u.globalName ?? u.username,
    })),
    mentionedRoles: [...message.mentions.roles.values()].map((r) => ({ id: r.id, name: r.name, botId: r.tags?.botId ?? null })),
    mentionedChannels: [...message.mentions.channels.values()].map((c) => ({
      id: c.id,
      name: "name" in c && typeof c.name === "string" ? c.name : "channel",
    })),
    // discord.js sets repliedUser for every reply; it is a ping only when Discord also listed the user in mentions.
    repliedUserId: message.mentions.repliedUser && message.mentions.users.has(message.mentions.repliedUser.id) ? message.mentions.repliedUser.id : null,
    attachments: [...message.attachments.values()].map(attachmentOf),
    forwarded: [...(message.messageSnapshots?.values() ?? [])].map((s) => ({
      content: s.content ?? "",
      attachments: [...s.attachments.values()].map(attachmentOf),
    })),
  };
}

function attachmentOf(a: { id: string; name: string; contentType: string | null; size: number; url: string }): SnapshotAttachment {
  return { id: a.id, name: a.name, contentType: a.contentType, sizeBytes: a.size, url: a.url };
}

export const THREAD_CHANNEL_TYPES: ReadonlySet<number> = new Set([ChannelType.AnnouncementThread, ChannelType.PublicThread, ChannelType.PrivateThread]);

/** Channels whose every thread is a post that starts with its own message (the message has the thread's id). */
export const FORUM_CHANNEL_TYPES: ReadonlySet<number> = new Set([ChannelType.GuildForum]);

/** Channels where a thread can be started from a message. */
export const THREADABLE_CHANNEL_TYPES: ReadonlySet<number> = new Set([ChannelType.GuildText, ChannelType.GuildAnnouncement]);
