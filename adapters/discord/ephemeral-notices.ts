import { MessageFlags, type REST, Routes } from "discord.js";
import { translateDiscordError } from "./errors.js";
import { fitContent, toDiscordMarkdown } from "./render.js";

/** An interaction the bot has acknowledged: its token lets the bot send follow-ups for 15 minutes. */
export interface KnownInteraction {
  readonly applicationId: string;
  readonly token: string;
}

/** A margin under Discord's 15 minutes, so a remembered token is never used just as it expires. */
const INTERACTION_TTL_MS = 14 * 60 * 1000;
/** Enough for every click of the last minutes on a busy bot; the oldest are forgotten first. */
const MAX_REMEMBERED = 1_000;

/**
 * The latest button click per (channel, user). Discord only shows a message to one person as the response to
 * something that person did, so a notice meant for someone who just clicked (for example "Only Ana can stop
 * this answer") is sent as an ephemeral follow-up to their click. Tokens stay in memory, are never logged, and
 * exist only in the process that received the click (the same one that answers it).
 */
export class RecentInteractions {
  readonly #byPlace = new Map<string, KnownInteraction & { readonly expiresAt: number }>();

  constructor(
    private readonly ttlMs = INTERACTION_TTL_MS,
    private readonly max = MAX_REMEMBERED,
  ) {}

  remember(click: { channelId: string; userId: string } & KnownInteraction, now = Date.now()): void {
    const key = placeKey(click.channelId, click.userId);
    this.#byPlace.delete(key);
    this.#byPlace.set(key, { applicationId: click.applicationId, token: click.token, expiresAt: now + this.ttlMs });
    while (this.#byPlace.size > this.max) {
      const oldest = this.#byPlace.keys().next().value;
      if (oldest === undefined) break;
      this.#byPlace.delete(oldest);
    }
  }

  /** The click this user made in this channel in the last minutes, if any. */
  find(channelId: string, userId: string, now = Date.now()): KnownInteraction | null {
    const key = placeKey(channelId, userId);
    const known = this.#byPlace.get(key);
    if (!known) return null;
    if (known.expiresAt <= now) {
      this.#byPlace.delete(key);
      return null;
    }
    return { applicationId: known.applicationId, token: known.token };
  }

  get size(): number {
    return this.#byPlace.size;
  }
}

function placeKey(channelId: string, userId: string): string {
  return `${channelId}:${userId}`;
}

/** A follow-up only the clicking user sees (flags EPHEMERAL). Webhook calls carry the token, not the bot's. */
export async function sendEphemeralFollowUp(rest: REST, interaction: KnownInteraction, markdown: string): Promise<void> {
  const body = {
    content: fitContent(toDiscordMarkdown(markdown), []),
    flags: MessageFlags.Ephemeral,
    allowed_mentions: { parse: [] },
  };
  try {
    await rest.post(Routes.webhook(interaction.applicationId, interaction.token), { body, auth: false });
  } catch (err) {
    throw translateDiscordError(err, { action: "send an ephemeral notice" });
  }
}
