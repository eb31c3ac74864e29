/**
 * Normalized, JSON-safe shapes that cross the adapter boundary and the job queue.
 * Nothing here holds a token, file bytes, a closure or an SDK object.
 */

export type PlatformId = "slack" | "discord" | "web";

/** Where a reply goes. Built by the adapter; the core only passes it back. */
export interface ReplyTarget {
  readonly platform: PlatformId;
  /** Slack team id; Discord guild id, or "@dm" for direct messages. Rate budgets are keyed on it. */
  readonly workspaceId: string;
  /** The channel the reply is posted in (on Discord: the thread channel). */
  readonly channelId: string;
  /** Slack `thread_ts` of the conversation; unset where the channel itself is the thread (Discord). */
  readonly threadId?: string;
  /** Adapter-private, JSON-safe hints, e.g. "start a Discord thread from message M in channel C first". */
  readonly hints?: Readonly<Record<string, string>>;
}

/** One platform message. `workspaceId` is kept so the core can find the message's rate budget. */
export interface MessageRef {
  readonly platform: PlatformId;
  readonly workspaceId: string;
  readonly channelId: string;
  readonly messageId: string;
  readonly threadId?: string;
  /**
   * Adapter-private, JSON-safe hints (e.g. the webhook a private answer is edited through), kept and passed back
   * untouched like `ReplyTarget.hints`.
   */
  readonly hints?: Readonly<Record<string, string>>;
}

export interface InboundAttachment {
  /** Platform file id, unique within the message. */
  readonly id: string;
  readonly name: string;
  /** The media type as the platform reports it (may be wrong: Slack labels audio clips `video/mp4`). */
  readonly mimeType: string;
  readonly sizeBytes: number;
  /** A voice message or audio clip meant to be spoken to the bot: the core transcribes it. */
  readonly isVoiceNote: boolean;
  /** Adapter-private locator (usually the download URL). Never contains a credential. */
  readonly ref: string;
}

export interface Author {
  readonly userId: string;
  readonly displayName: string;
}

export interface InboundMessage {
  readonly platform: PlatformId;
  readonly messageId: string;
  /** Idempotency key, unique per platform message and identical across redeliveries; contains no ":". */
  readonly dedupeKey: string;
  /** "<platform>:<workspace>:<channel>:<thread>", encoded by the adapter; one Dify conversation each. */
  readonly conversationKey: string;
  readonly replyTarget: ReplyTarget;
  readonly author: Author;
  /** Text with the bot mention stripped and platform markup turned into Markdown. */
  readonly text: string;
  readonly isDirectMessage: boolean;
  /** The bot was mentioned (user or managed-role mention; never @everyone/@here). */
  readonly mentionsBot: boolean;
  /** Someone other than the bot was mentioned. */
  readonly mentionsOthers: boolean;
  /** The message sits in a thread that already had messages before the bot was involved. */
  readonly inExistingThread: boolean;
  readonly attachments: readonly InboundAttachment[];
  /** ISO 8601. */
  readonly receivedAt: string;
}

export interface ActionButton {
  /** Opaque id chosen by the core, at most 100 characters (Discord's `custom_id` limit). */
  readonly actionId: string;
  readonly label: string;
  readonly style?: "primary" | "danger";
}

export interface Citation {
  readonly index: number;
  readonly title: string;
  readonly url?: string;
  readonly snippet?: string;
}

/** What one platform message should show. The core has already split text to `maxMessageLength`. */
export interface MessageContent {
  /** Standard Markdown; the adapter renders it for its platform. */
  readonly markdown: string;
  readonly buttons?: readonly ActionButton[];
  readonly citations?: readonly Citation[];
  /** A final answer that can be rated: platforms with their own rating controls (Slack feedback buttons) show them. */
  readonly feedback?: boolean;
}

export interface OutboundFile {
  readonly name: string;
  readonly mimeType: string;
  readonly data: Uint8Array;
}

/** A message already in a thread, read when the bot joins a thread that has history. */
export interface ThreadHistoryMessage {
  readonly author: Author;
  readonly isBot: boolean;
  readonly text: string;
  /**
   * Messages right before ("before") or after ("after") this one could not be read within the platform's
   * limits: the history has a gap there.
   */
  readonly gap?: "before" | "after";
}
