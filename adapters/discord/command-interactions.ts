import { type ChatInputCommandInteraction, type Interaction, type Message, type MessageContextMenuCommandInteraction, MessageFlags } from "discord.js";
import type { InboundAttachment, InboundMessage, ReplyTarget } from "../../src/contracts/messages.js";
import { ignored, kept, type Normalized } from "../shared/normalized.js";
import { ASK_OPTION, DISCORD_COMMAND } from "./application-commands.js";
import { encodeConversationKey, interactionDedupeKey } from "./ids.js";
import { interactionTargetHints } from "./interaction-replies.js";
import { DM_WORKSPACE_ID } from "./limits.js";
import { THREAD_CHANNEL_TYPES, THREADABLE_CHANNEL_TYPES } from "./message-snapshot.js";
import { isGuildAllowed, type NormalizeContext, threadName } from "./normalize.js";
import { HINT } from "./reply-target-hints.js";

/**
 * `/ask`, `/new` and the "Ask … about this" message command. Discord wants an answer within 3 seconds, so the
 * interaction is deferred at once (`acknowledge`); the rest (`normalizeCommand`) runs after, in arrival order.
 */

export type CommandInteraction = ChatInputCommandInteraction | MessageContextMenuCommandInteraction;

export function isBridgeCommand(interaction: Interaction, askAboutName: string | null): interaction is CommandInteraction {
  if (interaction.isChatInputCommand()) return interaction.commandName === DISCORD_COMMAND.ask || interaction.commandName === DISCORD_COMMAND.newConversation;
  return interaction.isMessageContextMenuCommand() && askAboutName !== null && interaction.commandName === askAboutName;
}

/** Only the caller sees: a private /ask, /new's confirmation, and the "answering in the thread" note. */
function isEphemeralResponse(interaction: CommandInteraction): boolean {
  if (!interaction.isChatInputCommand()) return true;
  return interaction.commandName === DISCORD_COMMAND.newConversation || interaction.options.getBoolean(ASK_OPTION.ephemeral) === true;
}

/** The deferred response ("… is thinking"): sent first, whatever happens next. */
export function acknowledge(interaction: CommandInteraction): Promise<unknown> {
  return interaction.deferReply(isEphemeralResponse(interaction) ? { flags: MessageFlags.Ephemeral } : {});
}

interface Place {
  readonly guildId: string | null;
  readonly channelId: string;
  readonly channelType: number;
  readonly parentId: string | null;
}

function placeOf(interaction: CommandInteraction): Place {
  const ch = interaction.channel;
  return {
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    channelType: ch?.type ?? -1,
    parentId: ch && "parentId" in ch ? (ch.parentId ?? null) : null,
  };
}

function allowed(ctx: NormalizeContext, p: Place): boolean {
  if (p.guildId === null) return ctx.allowDirectMessages;
  if (!isGuildAllowed(ctx.allowedGuilds, p.guildId)) return false;
  return ctx.allowedChannels.length === 0 || ctx.allowedChannels.includes(p.channelId) || (p.parentId !== null && ctx.allowedChannels.includes(p.parentId));
}

/** The conversation of the place itself: a DM channel, or a thread. Null for a plain channel (no conversation). */
function placeConversation(p: Place): { conversationKey: string; target: ReplyTarget } | null {
  if (p.guildId === null) {
    return {
      conversationKey: encodeConversationKey({ workspaceId: DM_WORKSPACE_ID, channelId: p.channelId, threadId: p.channelId }),
      target: { platform: "discord", workspaceId: DM_WORKSPACE_ID, channelId: p.channelId },
    };
  }
  if (!THREAD_CHANNEL_TYPES.has(p.channelType)) return null;
  return {
    conversationKey: encodeConversationKey({ workspaceId: p.guildId, channelId: p.parentId ?? p.channelId, threadId: p.channelId }),
    target: { platform: "discord", workspaceId: p.guildId, channelId: p.channelId },
  };
}

/** A thread started from `messageId` in a text channel; the thread gets the message's id. */
function threadFrom(p: Place & { guildId: string }, messageId: string, name: string): { conversationKey: string; target: ReplyTarget } {
  return {
    conversationKey: encodeConversationKey({ workspaceId: p.guildId, channelId: p.channelId, threadId: messageId }),
    target: {
      platform: "discord",
      workspaceId: p.guildId,
      channelId: messageId,
      hints: { [HINT.startThreadInChannel]: p.channelId, [HINT.startThreadFromMessage]: messageId, [HINT.threadName]: name },
    },
  };
}

function attachmentOf(a: { id: string; name: string; contentType: string | null; size: number; url: string }): InboundAttachment {
  return { id: a.id, name: a.name, mimeType: a.contentType ?? "application/octet-stream", sizeBytes: a.size, isVoiceNote: false, ref: a.url };
}

export type CommandOutcome = Normalized<InboundMessage> | { readonly kind: "told"; readonly text: string };

const NO_CONVERSATION_HERE = "Each question here gets its own thread, so there is nothing to reset: use `/ask` or mention me to start one.";

/**
 * The question the command asks, after the deferral: a public /ask shows "who asked what" in its response and
 * is answered in a thread from it (in a thread or DM: right there); a private one in the response itself.
 */
export async function normalizeCommand(interaction: CommandInteraction, ctx: NormalizeContext, receivedAt: string): Promise<CommandOutcome> {
  const p = placeOf(interaction);
  if (!allowed(ctx, p)) return ignored(p.guildId === null ? "dm_not_allowed" : "channel_not_allowed");
  const author = {
    userId: interaction.user.id,
    displayName:
      interaction.member && "displayName" in interaction.member ? interaction.member.displayName : (interaction.user.globalName ?? interaction.user.username),
  };
  const workspaceId = p.guildId ?? DM_WORKSPACE_ID;
  const base = {
    platform: "discord" as const,
    messageId: interaction.id,
    dedupeKey: interactionDedupeKey(interaction.id),
    author,
    isDirectMessage: p.guildId === null,
    mentionsBot: true,
    mentionsOthers: false,
    receivedAt,
  };
  const privateTarget = (ephemeral: boolean): ReplyTarget => ({
    platform: "discord",
    workspaceId,
    channelId: p.channelId,
    hints: interactionTargetHints(interaction.applicationId, interaction.token, ephemeral),
  });

  if (interaction.isMessageContextMenuCommand()) {
    const m: Message = interaction.targetMessage;
    const quoted = m.content.trim() === "" ? "(no text)" : m.content.trim();
    const text = `Please help with this message from ${m.member?.displayName ?? m.author.globalName ?? m.author.username}:\n\n${quoted}`;
    const attachments = [...m.attachments.values()].map((a) => attachmentOf(a));
    const place =
      placeConversation(p) ??
      (p.guildId !== null && THREADABLE_CHANNEL_TYPES.has(p.channelType)
        ? threadFrom({ ...p, guildId: p.guildId }, m.id, threadName(m.content, attachments, m.author.username))
        : null);
    if (!place) return ignored("unsupported_channel");
    return kept({ ...base, ...place, replyTarget: place.target, text, inExistingThread: place.target.hints === undefined && p.guildId !== null, attachments });
  }

  if (interaction.commandName === DISCORD_COMMAND.newConversation) {
    const place = placeConversation(p);
    if (!place) return { kind: "told", text: NO_CONVERSATION_HERE };
    return kept({ ...base, conversationKey: place.conversationKey, replyTarget: privateTarget(true), text: "/new", inExistingThread: false, attachments: [] });
  }

  const question = interaction.options.getString(ASK_OPTION.question, true).trim();
  const file = interaction.options.getAttachment(ASK_OPTION.file);
  const attachments = file ? [attachmentOf(file)] : [];
  if (interaction.options.getBoolean(ASK_OPTION.ephemeral) === true) {
    const conversationKey = encodeConversationKey({ workspaceId, channelId: p.channelId, threadId: `i${interaction.id}` });
    return kept({ ...base, conversationKey, replyTarget: privateTarget(true), text: question, inExistingThread: false, attachments });
  }
  const shown = await interaction.editReply({ content: `**${author.displayName}** asked: ${question}`.slice(0, 2000), allowedMentions: { parse: [] } });
  const place =
    placeConversation(p) ??
    (p.guildId !== null && THREADABLE_CHANNEL_TYPES.has(p.channelType)
      ? threadFrom({ ...p, guildId: p.guildId }, shown.id, threadName(question, attachments, author.displayName))
      : null);
  if (!place) return ignored("unsupported_channel");
  return kept({ ...base, conversationKey: place.conversationKey, replyTarget: place.target, text: question, inExistingThread: false, attachments });
}
