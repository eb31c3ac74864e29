import type { MessageRef, PlatformId } from "./messages.js";

/** Normalized reaction: Slack "+1"/"thumbsup" (any skin tone) and Discord "👍" (any skin tone) are "thumbs_up". */
export type Reaction = "thumbs_up" | "thumbs_down";

export interface ReactionEvent {
  readonly platform: PlatformId;
  readonly messageRef: MessageRef;
  readonly userId: string;
  /** Bots' reactions never count as feedback. */
  readonly isBot: boolean;
  readonly added: boolean;
  /** null for any emoji that is not 👍/👎; the core ignores those. */
  readonly reaction: Reaction | null;
  readonly rawEmoji: string;
  /** ISO 8601, when the platform says it happened (or when it was received). */
  readonly occurredAt: string;
}

/** The text someone gave for their rating of a message (the "what was wrong?" form after a 👎). */
export interface FeedbackComment {
  readonly platform: PlatformId;
  readonly messageRef: MessageRef;
  readonly userId: string;
  readonly text: string;
}
