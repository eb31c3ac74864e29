import type { GatewayMessageReactionAddDispatchData, GatewayMessageReactionRemoveDispatchData } from "discord.js";
import type { Reaction, ReactionEvent } from "../../src/contracts/reactions.js";
import { ignored, kept, type Normalized } from "../shared/normalized.js";
import { DM_WORKSPACE_ID } from "./limits.js";
import { isGuildAllowed } from "./normalize.js";

/** Skin-tone modifiers (U+1F3FB–U+1F3FF) and the emoji presentation selector (U+FE0F). */
const EMOJI_MODIFIERS = /[\u{1F3FB}-\u{1F3FF}\u{FE0F}]/gu;

/**
 * "👍" with any skin tone → thumbs_up, "👎" → thumbs_down; custom emoji and everything else → null.
 * @internal Exported for its unit test.
 */
export function reactionFromEmoji(emoji: { readonly id?: string | null; readonly name?: string | null }): Reaction | null {
  if (emoji.id) return null;
  const base = (emoji.name ?? "").replace(EMOJI_MODIFIERS, "");
  if (base === "👍") return "thumbs_up";
  if (base === "👎") return "thumbs_down";
  return null;
}

export interface ReactionContext {
  readonly botUserId: string;
  readonly allowedGuilds: readonly string[];
  /** What the gateway cache knows about the user (DM reactions carry no member object). */
  readonly isKnownBot: (userId: string) => boolean;
  readonly now: () => Date;
}

/**
 * A raw MESSAGE_REACTION_ADD/REMOVE payload → `ReactionEvent`, or ignored outside the guild allow-list. Raw payloads are used on purpose: discord.js drops
 * reactions in DM channels it has not cached (the payload carries no channel type), even with every partial on,
 * and the event only needs ids.
 */
export function normalizeReaction(
  data: GatewayMessageReactionAddDispatchData | GatewayMessageReactionRemoveDispatchData,
  added: boolean,
  ctx: ReactionContext,
): Normalized<ReactionEvent> {
  if (!isGuildAllowed(ctx.allowedGuilds, data.guild_id)) return ignored("guild_not_allowed");
  const member = "member" in data ? data.member : undefined;
  const isBot = data.user_id === ctx.botUserId || member?.user?.bot === true || ctx.isKnownBot(data.user_id);
  return kept({
    platform: "discord",
    messageRef: {
      platform: "discord",
      workspaceId: data.guild_id ?? DM_WORKSPACE_ID,
      channelId: data.channel_id,
      messageId: data.message_id,
    },
    userId: data.user_id,
    isBot,
    added,
    reaction: reactionFromEmoji(data.emoji),
    rawEmoji: data.emoji.id ? `${data.emoji.name ?? ""}:${data.emoji.id}` : (data.emoji.name ?? ""),
    occurredAt: ctx.now().toISOString(),
  });
}
