/**
 * Discord's limits in one table, so rendering, validation and capabilities cannot drift apart.
 * Sources: discord-api-docs `resources/message.mdx`, `components/reference.mdx`, `topics/rate-limits.mdx`,
 * `topics/threads.mdx` (see docs/platforms.md section 4).
 */
export const DISCORD_LIMITS = {
  /** Characters of `content` per bot message (Nitro's 4,000 is a user perk). */
  contentLength: 2_000,
  /** Buttons per action row, and action rows per message. */
  buttonsPerRow: 5,
  actionRows: 5,
  customIdLength: 100,
  buttonLabelLength: 80,
  embedTitleLength: 256,
  embedDescriptionLength: 4_096,
  /** Characters across every embed of one message. */
  embedTotalLength: 6_000,
  threadNameLength: 100,
  filesPerMessage: 10,
  /** Per file, for servers without boosts. */
  defaultUploadBytes: 10 * 1024 * 1024,
  /**
   * Components V2 (components/reference.mdx): at most 40 components in a message, nested ones included, and
   * 4,000 characters of text across all its text displays.
   */
  componentsV2Total: 40,
  componentsV2TextLength: 4_000,
  /** Messages fetched per history request. */
  historyPageSize: 100,
} as const;

/**
 * Rate budgets the core paces against. Discord does not document per-route numbers; "5 per 5 s per channel,
 * creating and editing" is the long-standing observed bucket, and 50 requests/s is the documented global limit.
 * The live numbers come from `x-ratelimit-*` headers, which the REST client reads and logs.
 */
export const DISCORD_RATE_BUDGETS = {
  channelMessages: { limit: 5, windowMs: 5_000 },
  global: { limit: 50, windowMs: 1_000 },
} as const;

/** Message flag IS_COMPONENTS_V2 (1 << 15): the message is laid out with components only. */
export const IS_COMPONENTS_V2_FLAG = 1 << 15;

/** Message flag IS_VOICE_MESSAGE (1 << 13). */
export const IS_VOICE_MESSAGE_FLAG = 1 << 13;

/** `workspaceId` of direct-message conversations, which belong to no guild. */
export const DM_WORKSPACE_ID = "@dm";
