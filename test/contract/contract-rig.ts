import type { ButtonAction } from "../../src/contracts/actions.js";
import type { ChatPlatform } from "../../src/contracts/chat-platform.js";
import type { Author, InboundMessage, MessageRef } from "../../src/contracts/messages.js";
import type { ReactionEvent } from "../../src/contracts/reactions.js";

/** A message as the people in the conversation see it on the platform (read from the fake platform's state). */
export interface SeenMessage {
  readonly messageId: string;
  /** The text shown, as the platform stores it. */
  readonly text: string;
  readonly buttons: readonly { readonly label: string; readonly actionId: string }[];
  /** Files the message carries, with the bytes a user would download. */
  readonly files: readonly { readonly name: string; readonly data: Uint8Array }[];
}

/** The emoji the suite reacts with: a thumbs up with a skin tone, a thumbs down, and one that is neither. */
export type ContractEmoji = "👍🏽" | "👎" | "🎉";

/** A refusal the platform answers a call with, each as the real platform words it on the wire. */
export type Refusal = "permission" | "not_found" | "validation" | "auth";

/**
 * One adapter wired to its fake platform, started in the ingress role, with a conversation under way: `question`
 * is the first message of `asker`, as the adapter delivered it. Everything the suite observes comes from the fake
 * platform's state (what its users would see) or from what the adapter handed its sink.
 */
export interface ContractRig {
  readonly platform: ChatPlatform;
  readonly question: InboundMessage;
  readonly asker: Author;
  /** Someone else in the conversation. */
  readonly other: Author;
  /** The message now, or undefined once it is gone (deleted, or never posted). */
  seen(ref: MessageRef): Promise<SeenMessage | undefined>;
  /** The bot's messages in the question's thread, oldest first. */
  botMessages(): Promise<SeenMessage[]>;
  /** Requests the fake platform has received so far. */
  serverCalls(): number;
  /** Warning lines the adapter logged. */
  warnings(): readonly string[];
  /** `user` writes in the question's thread (with a file if given); resolves with what the adapter delivered. */
  userSays(user: Author, text: string, file?: { readonly name: string; readonly mimeType: string; readonly data: Uint8Array }): Promise<InboundMessage>;
  /** `by` ("bot": the bot itself) adds or removes a reaction on a message; resolves with what the adapter delivered. */
  userReacts(by: Author | "bot", ref: MessageRef, emoji: ContractEmoji, added: boolean): Promise<ReactionEvent>;
  /** `user` clicks the button labelled `label` that the message shows; resolves with what the adapter delivered. */
  userClicks(user: Author, ref: MessageRef, label: string): Promise<ButtonAction>;
  /** Delivers the event the platform sends about the bot's own message, where it sends one by itself it already has. */
  echoOwnMessage(ref: MessageRef): Promise<void>;
  /** Notices shown to one person only, in order. */
  privateNotices(): readonly { readonly userId: string; readonly text: string }[];
  /** Typing indicators the platform received. */
  typingSignals(): number;
  /** The platform refuses the next message edit. */
  refuseNextEdit(refusal: Refusal): void;
  /** The platform answers the next message edit with a 429 asking to wait `retryAfterMs`. */
  rateLimitNextEdit(retryAfterMs: number): void;
  close(): Promise<void>;
}

/** An optional part of the port the adapter leaves out, and why (the suite names the reason in the test). */
export interface Absent {
  readonly absent: string;
}

/** What an adapter declares up front, so the suite can name each case before any adapter exists. */
export interface ContractSubject {
  readonly name: string;
  readonly setup: () => Promise<ContractRig>;
  /**
   * The longest Markdown the adapter delivers whole (at least `maxMessageLength`: room for what the core appends
   * after splitting), and what it does with more: refuse it before calling the platform, or cut it with a visible
   * "…" and a logged warning. It never drops text silently.
   */
  readonly overLimit: { readonly hardLimitChars: number; readonly beyond: "rejects" | "cuts-visibly" };
  readonly deleteMessage: true | Absent;
  /** "always": shown to that person alone. "after-a-click": only in answer to their own recent click, else posted normally. */
  readonly privateNotices: "always" | "after-a-click" | Absent;
  readonly nativeStreaming: true | Absent;
  readonly threadHistory: true | Absent;
  readonly typing: true | Absent;
}

export const isAbsent = (x: unknown): x is Absent => typeof x === "object" && x !== null && "absent" in x;
