import type { Author, MessageRef, PlatformId, ReplyTarget } from "./messages.js";

/** A button click (stop, suggested question, retry, new conversation). The adapter has already acknowledged it. */
export interface ButtonAction {
  readonly platform: PlatformId;
  /** The `actionId` the core put on the button. */
  readonly actionId: string;
  readonly user: Author;
  /** The message that carried the button. */
  readonly messageRef: MessageRef;
  readonly conversationKey: string;
  readonly replyTarget: ReplyTarget;
  /** Unique per click, for dedupe; contains no ":". */
  readonly dedupeKey: string;
  readonly receivedAt: string;
  /** A form dialog's submission (see `FormDialog`): the values by field name. */
  readonly values?: Readonly<Record<string, string>>;
}
