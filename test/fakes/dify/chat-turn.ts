import type { IncomingHttpHeaders } from "node:http";
import type { AppMode } from "./options.js";
import type { ChatRequestBody } from "./records.js";
import type { ChatStep, HttpErrorReply } from "./steps.js";
import type { FakeMessage, FakeMessageFile } from "./store.js";

/** One accepted POST /chat-messages, as the chat handler sees it. IDs are already assigned. */
export interface ChatTurn {
  readonly body: ChatRequestBody;
  readonly query: string;
  readonly user: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Files attached to the query, resolved against the uploads (empty when the app's file upload is off). */
  readonly files: readonly FakeMessageFile[];
  readonly conversationId: string;
  readonly isNewConversation: boolean;
  readonly messageId: string;
  readonly taskId: string;
  /** Used on Chatflow events. */
  readonly workflowRunId: string;
  /** Epoch seconds, the same on every event of the turn. */
  readonly createdAt: number;
  readonly endUserId: string;
  readonly mode: AppMode;
  readonly responseMode: "streaming" | "blocking";
  /** Earlier messages of the conversation, oldest first. */
  readonly history: readonly FakeMessage[];
  readonly headers: IncomingHttpHeaders;
  /** Aborted when the turn is stopped or the client goes away; for generator scripts that wait on their own. */
  readonly signal: AbortSignal;
}

/** A script: an array (or any iterable / async iterable, e.g. a generator producing steps lazily). */
export type ChatScript = Iterable<ChatStep> | AsyncIterable<ChatStep>;

/**
 * Decides how the fake answers a chat turn: a script of steps, or an HTTP error instead of a stream.
 * Runs after Dify's own validation, so it only sees requests real Dify would have accepted.
 */
export type ChatHandler = (turn: ChatTurn) => ChatScript | HttpErrorReply | Promise<ChatScript | HttpErrorReply>;

export type StreamEndReason =
  /** `message_end` was sent and the script ran to its end. */
  | "completed"
  /** An in-band `error` event was sent. */
  | "error-event"
  /** A stop request ended the turn with a normal `message_end`. */
  | "stopped"
  /** The body ended without a terminal event (script ran out, or `steps.eof()`). */
  | "eof"
  /** `steps.reset()` reset the connection. */
  | "reset"
  /** The client closed the connection first (abort, idle timeout). */
  | "client-closed"
  /** The turn answered with an HTTP error instead of a stream. */
  | "http-error"
  /** The script threw; the fake answered 500 or cut the stream. */
  | "script-error";

/** One chat turn's stream, observable by tests and benchmarks. Times are `performance.timeOrigin + performance.now()`. */
export interface FakeStream {
  readonly taskId: string;
  readonly messageId: string;
  readonly conversationId: string;
  readonly user: string;
  readonly query: string;
  readonly responseMode: "streaming" | "blocking";
  readonly startedAt: number;
  /** When the first byte of the first answer text event was written (for time-to-first-token benchmarks). */
  readonly firstAnswerByteAt: number | undefined;
  readonly endedAt: number | undefined;
  readonly endReason: StreamEndReason | undefined;
  readonly eventsWritten: number;
  readonly bytesWritten: number;
  readonly isStopRequested: boolean;
  /** Settles when the turn is over, with the reason. */
  readonly done: Promise<StreamEndReason>;
}
