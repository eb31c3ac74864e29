/**
 * Why an adapter did not hand an inbound event to the core. One vocabulary for every adapter, so the debug log
 * line "… ignored" reads the same whichever platform dropped the event.
 */
export type IgnoreReason =
  /** An event or payload shape the bot does not answer (a reaction on a file, an unknown interaction). */
  | "unsupported_event"
  /** An id the event needs (user, channel, timestamp) is missing. */
  | "incomplete"
  /** The bot's own post, echoed back by the platform. */
  | "own_message"
  /** Another bot or a webhook. */
  | "bot_author"
  /** Joins, edits, deletions, pins and other messages that are not questions. */
  | "system_message"
  | "dm_not_allowed"
  | "guild_not_allowed"
  | "channel_not_allowed"
  /** A channel message that neither mentions the bot nor sits in a thread. */
  | "not_addressed"
  /** No text, no files, no mention: what Discord delivers without the Message Content intent. */
  | "unreadable"
  /** A channel kind the bot cannot answer in. */
  | "unsupported_channel";

/** What every normalizer returns: the value for the core, or the reason it was dropped (never a bare null). */
export type Normalized<T> = { readonly kind: "kept"; readonly value: T } | { readonly kind: "ignored"; readonly reason: IgnoreReason };

export const kept = <T>(value: T): Normalized<T> => ({ kind: "kept", value });
export const ignored = (reason: IgnoreReason): Normalized<never> => ({ kind: "ignored", reason });
