import { type ButtonInteraction, ChannelType } from "discord.js";
import type { ButtonAction } from "../../src/contracts/actions.js";
import type { ReplyTarget } from "../../src/contracts/messages.js";
import { ignored, kept, type Normalized } from "../shared/normalized.js";
import { encodeConversationKey, interactionDedupeKey } from "./ids.js";
import { DM_WORKSPACE_ID } from "./limits.js";
import { THREAD_CHANNEL_TYPES } from "./message-snapshot.js";
import { isGuildAllowed } from "./normalize.js";
import { HINT } from "./reply-target-hints.js";

/** The plain facts of one button click (INTERACTION_CREATE type 3). */
export interface ButtonClickSnapshot {
  readonly interactionId: string;
  readonly customId: string;
  readonly guildId: string | null;
  readonly channelId: string;
  readonly channelType: number | null;
  /** Parent of the thread the button is in. */
  readonly parentId: string | null;
  /** The message carrying the button, and the message it replied to (answers posted where threads are impossible). */
  readonly messageId: string;
  readonly messageReferenceId: string | null;
  readonly user: { readonly id: string; readonly displayName: string };
  readonly createdAt: string;
}

export function snapshotButtonClick(i: ButtonInteraction): ButtonClickSnapshot {
  const channel = i.channel;
  return {
    interactionId: i.id,
    customId: i.customId,
    guildId: i.guildId ?? null,
    channelId: i.channelId,
    channelType: channel?.type ?? null,
    parentId: channel?.isThread() ? channel.parentId : null,
    messageId: i.message.id,
    messageReferenceId: i.message.reference?.messageId ?? null,
    user: { id: i.user.id, displayName: i.member && "displayName" in i.member ? i.member.displayName : (i.user.globalName ?? i.user.username) },
    createdAt: new Date(i.createdTimestamp).toISOString(),
  };
}

/** A click → `ButtonAction`, addressed like the conversation the message belongs to; ignored outside the guild allow-list. */
export function normalizeButtonClick(snap: ButtonClickSnapshot, ctx: { readonly allowedGuilds: readonly string[] }): Normalized<ButtonAction> {
  if (!isGuildAllowed(ctx.allowedGuilds, snap.guildId)) return ignored("guild_not_allowed");
  const workspaceId = snap.guildId ?? DM_WORKSPACE_ID;
  let conversationKey: string;
  let replyTarget: ReplyTarget;
  if (snap.guildId === null || snap.channelType === ChannelType.DM) {
    conversationKey = encodeConversationKey({ workspaceId, channelId: snap.channelId, threadId: snap.channelId });
    replyTarget = { platform: "discord", workspaceId, channelId: snap.channelId };
  } else if (snap.channelType !== null && THREAD_CHANNEL_TYPES.has(snap.channelType)) {
    conversationKey = encodeConversationKey({ workspaceId, channelId: snap.parentId ?? snap.channelId, threadId: snap.channelId });
    replyTarget = { platform: "discord", workspaceId, channelId: snap.channelId };
  } else {
    // An answer posted as a reply in a channel without threads: the conversation is named after the question.
    const questionId = snap.messageReferenceId ?? snap.messageId;
    conversationKey = encodeConversationKey({ workspaceId, channelId: snap.channelId, threadId: questionId });
    replyTarget = { platform: "discord", workspaceId, channelId: snap.channelId, hints: { [HINT.replyToMessage]: questionId } };
  }
  return kept({
    platform: "discord",
    actionId: snap.customId,
    user: { userId: snap.user.id, displayName: snap.user.displayName },
    messageRef: { platform: "discord", workspaceId, channelId: snap.channelId, messageId: snap.messageId },
    conversationKey,
    replyTarget,
    dedupeKey: interactionDedupeKey(snap.interactionId),
    receivedAt: snap.createdAt,
  });
}
