import { z } from "zod";
import { envBoolean, envEnum, envInt, envList, envUrl, optionalSecret, type ParseResult, parseWith } from "../../src/contracts/config-schema.js";
import { DISCORD_LIMITS } from "./limits.js";
import { type DiscordSharding, shardCountSetting, shardIdsSetting, shardingProblem } from "./sharding.js";

export interface DiscordConfig {
  /** Bare bot token (a leading "Bot " is removed). */
  readonly botToken: string;
  /** REST base without the version, e.g. "http://127.0.0.1:PORT/api"; undefined means Discord's own. */
  readonly apiUrl: string | undefined;
  /** Guild ids the bot answers in; empty means every guild it is in. */
  readonly allowedGuilds: readonly string[];
  /** Channel ids the bot answers in (threads inherit their parent); empty means every channel. */
  readonly allowedChannels: readonly string[];
  /** Whether direct messages are answered. @defaultValue true */
  readonly allowDirectMessages: boolean;
  /** Largest file the bot uploads. @defaultValue 10 MiB (servers without boosts) */
  readonly maxUploadBytes: number;
  /** Gateway shards of this process. @defaultValue Discord's recommended count, all in this process */
  readonly sharding: DiscordSharding;
  /**
   * Where /ask, /new and the message command are registered at start: "global" (every server and DMs; Discord
   * may take a while to show changes), "guild" (each server the bot is in, at once; not in DMs) or "off".
   */
  readonly commands: "global" | "guild" | "off";
  /**
   * Answers as Components V2 messages (a container with text displays and buttons): 4,000 characters per message
   * instead of 2,000, sources inside the message. Off: plain `content` with an embed for the sources, which every
   * client and every tool that reads message content shows. @defaultValue false
   */
  readonly componentsV2: boolean;
}

const idList = () =>
  envList().superRefine((ids, ctx) => {
    // Never echo the value: report positions only.
    ids.forEach((id, i) => {
      if (!/^\d{1,20}$/.test(id)) ctx.addIssue({ code: "custom", message: `entry ${i + 1} is not a numeric Discord id` });
    });
  });

const discordSchema = z
  .object({
    DISCORD_BOT_TOKEN: optionalSecret(),
    DISCORD_API_URL: envUrl().superRefine((url, ctx) => {
      // discord.js appends "/v10" itself; a versioned base would request "/api/v10/v10/...".
      if (url !== undefined && /\/v\d+$/.test(new URL(url).pathname)) {
        ctx.addIssue({ code: "custom", message: "must not end with the API version (use the base, e.g. .../api)" });
      }
    }),
    DISCORD_ALLOWED_GUILDS: idList(),
    DISCORD_ALLOWED_CHANNELS: idList(),
    DISCORD_ALLOW_DMS: envBoolean(true),
    DISCORD_MAX_UPLOAD_BYTES: envInt(DISCORD_LIMITS.defaultUploadBytes, 1, 500 * 1024 * 1024),
    DISCORD_SHARD_COUNT: shardCountSetting(),
    DISCORD_SHARD_IDS: shardIdsSetting(),
    DISCORD_COMMANDS: envEnum(["global", "guild", "off"], "global"),
    DISCORD_COMPONENTS_V2: envBoolean(false),
  })
  .superRefine((v, ctx) => {
    const problem = shardingProblem({ count: v.DISCORD_SHARD_COUNT, ids: v.DISCORD_SHARD_IDS });
    if (problem) ctx.addIssue({ code: "custom", path: ["DISCORD_SHARD_IDS"], message: problem });
  });

/** Every variable the Discord adapter reads. */
export const DISCORD_ENV_VARS: readonly string[] = Object.keys(discordSchema.shape);

/**
 * Parses the DISCORD_* settings. An unset DISCORD_BOT_TOKEN means Discord is off (`value: null`); the other
 * variables are still checked so that every problem is reported at once. Messages never contain a value.
 */
export function parseDiscordConfig(env: Record<string, string | undefined>): ParseResult<DiscordConfig | null> {
  const parsed = parseWith(discordSchema, env);
  if (!parsed.ok) return parsed;
  const v = parsed.value;
  if (v.DISCORD_BOT_TOKEN === undefined) return { ok: true, value: null };
  const botToken = v.DISCORD_BOT_TOKEN.replace(/^Bot\s+/i, "");
  if (botToken === "") return { ok: false, issues: ["DISCORD_BOT_TOKEN: is empty after the Bot prefix"] };
  return {
    ok: true,
    value: Object.freeze({
      botToken,
      apiUrl: v.DISCORD_API_URL,
      allowedGuilds: Object.freeze([...v.DISCORD_ALLOWED_GUILDS]),
      allowedChannels: Object.freeze([...v.DISCORD_ALLOWED_CHANNELS]),
      allowDirectMessages: v.DISCORD_ALLOW_DMS,
      maxUploadBytes: v.DISCORD_MAX_UPLOAD_BYTES,
      commands: v.DISCORD_COMMANDS,
      componentsV2: v.DISCORD_COMPONENTS_V2,
      sharding: Object.freeze({
        ...(v.DISCORD_SHARD_COUNT !== undefined && { count: v.DISCORD_SHARD_COUNT }),
        ...(v.DISCORD_SHARD_IDS !== undefined && { ids: Object.freeze(v.DISCORD_SHARD_IDS) }),
      }),
    }),
  };
}
