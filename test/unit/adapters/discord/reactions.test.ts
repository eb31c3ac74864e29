import type { GatewayMessageReactionAddDispatchData } from "discord.js";
import { describe, expect, it } from "vitest";
import { normalizeReaction, reactionFromEmoji } from "../../../../adapters/discord/reactions.js";
import { reasonOf, value } from "../normalized.js";
import { BOT, reactionPayload } from "./fixtures.js";

const ctx = { botUserId: BOT, allowedGuilds: [], isKnownBot: () => false, now: () => new Date("2025-03-01T12:00:00.000Z") };
const normalize = (...args: Parameters<typeof normalizeReaction>) => value(normalizeReaction(...args));

describe("reactionFromEmoji", () => {
  it.each(["👍", "👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿", "👍\uFE0F"])("%s is thumbs_up", (name) => {
    expect(reactionFromEmoji({ id: null, name })).toBe("thumbs_up");
  });
  it.each(["👎", "👎🏻", "👎🏿"])("%s is thumbs_down", (name) => {
    expect(reactionFromEmoji({ id: null, name })).toBe("thumbs_down");
  });
  it("maps other and custom emoji to null", () => {
    expect(reactionFromEmoji({ id: null, name: "❤️" })).toBeNull();
    expect(reactionFromEmoji({ id: "1", name: "thumbsup" })).toBeNull();
    expect(reactionFromEmoji({ id: null, name: null })).toBeNull();
  });
});

describe("normalizeReaction", () => {
  it("maps a guild reaction to the reacted message", () => {
    const event = normalize(reactionPayload<GatewayMessageReactionAddDispatchData>("guildThumbsUpMediumSkin"), true, ctx);
    expect(event).toEqual({
      platform: "discord",
      messageRef: { platform: "discord", workspaceId: "1200000000000000001", channelId: "1310000000000000100", messageId: "1310000000000000200" },
      userId: "1500000000000000001",
      isBot: false,
      added: true,
      reaction: "thumbs_up",
      rawEmoji: "👍🏽",
      occurredAt: "2025-03-01T12:00:00.000Z",
    });
  });

  it("keeps DM reactions (no guild, no member) and removals", () => {
    const dm = normalize(reactionPayload<GatewayMessageReactionAddDispatchData>("dmThumbsUpDarkSkin"), true, ctx);
    expect(dm.messageRef).toEqual({ platform: "discord", workspaceId: "@dm", channelId: "1700000000000000001", messageId: "1310000000000000201" });
    expect(dm.reaction).toBe("thumbs_up");
    const removed = normalize(reactionPayload<GatewayMessageReactionAddDispatchData>("guildThumbsDownRemove"), false, ctx);
    expect([removed.added, removed.reaction, removed.isBot]).toEqual([false, "thumbs_down", false]);
  });

  it("flags bots: from the member, from the cache, and the bot itself", () => {
    const other = normalize(reactionPayload<GatewayMessageReactionAddDispatchData>("otherBotHeart"), true, ctx);
    expect([other.isBot, other.reaction, other.rawEmoji]).toEqual([true, null, "❤️"]);
    const removal = reactionPayload<GatewayMessageReactionAddDispatchData>("guildThumbsDownRemove");
    expect(normalize(removal, false, { ...ctx, isKnownBot: (id) => id === removal.user_id }).isBot).toBe(true);
    expect(normalize({ ...removal, user_id: BOT }, true, ctx).isBot).toBe(true);
  });

  it("ignores reactions in guilds outside the allow-list, never DMs", () => {
    const guild = reactionPayload<GatewayMessageReactionAddDispatchData>("guildThumbsUpMediumSkin");
    const dm = reactionPayload<GatewayMessageReactionAddDispatchData>("dmThumbsUpDarkSkin");
    const only = { ...ctx, allowedGuilds: ["1200000000000000999"] };
    expect(reasonOf(normalizeReaction(guild, true, only))).toBe("guild_not_allowed");
    expect(reasonOf(normalizeReaction(dm, true, only))).toBe("kept");
    expect(reasonOf(normalizeReaction(guild, true, { ...ctx, allowedGuilds: [guild.guild_id as string] }))).toBe("kept");
  });

  it("names custom emoji with their id", () => {
    const custom = normalize(reactionPayload<GatewayMessageReactionAddDispatchData>("customEmojiNamedThumbsup"), true, ctx);
    expect([custom.reaction, custom.rawEmoji]).toEqual([null, "thumbsup:1900000000000000001"]);
  });
});
