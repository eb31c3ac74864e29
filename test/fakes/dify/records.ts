import type { IncomingHttpHeaders } from "node:http";

/** A file part as the client sent it. */
export interface RecordedFilePart {
  readonly field: string;
  readonly filename: string;
  /** The part's own Content-Type header; undefined when the client sent none. */
  readonly contentType: string | undefined;
  readonly bytes: Uint8Array;
}

/** Every request the fake received, in arrival order, with its body as parsed. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v1/chat-messages`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
  /** The parsed JSON body, or undefined when it was not JSON. */
  readonly json: unknown;
  /** Multipart fields and file parts, when the body was multipart/form-data. */
  readonly form: { readonly fields: Readonly<Record<string, string>>; readonly files: readonly RecordedFilePart[] } | undefined;
  /** Status the fake answered with (200 for streams); 0 while still being handled. */
  status: number;
  /** `performance.timeOrigin + performance.now()` when the body was complete. */
  readonly receivedAt: number;
}

/** Body of POST /chat-messages as the client sent it. */
export interface ChatRequestBody {
  readonly query?: unknown;
  readonly inputs?: unknown;
  readonly user?: unknown;
  readonly response_mode?: unknown;
  readonly conversation_id?: unknown;
  readonly files?: unknown;
  readonly auto_generate_name?: unknown;
  readonly [key: string]: unknown;
}

export interface RecordedChatRequest extends RecordedRequest {
  readonly chat: ChatRequestBody;
}

export interface RecordedFeedback {
  readonly messageId: string;
  readonly rating: unknown;
  readonly user: unknown;
  readonly content: unknown;
  readonly status: number;
  readonly request: RecordedRequest;
}

export interface RecordedStop {
  readonly taskId: string;
  readonly user: unknown;
  /** True when a running stream of this task (and, outside Chatflow, of this user) was stopped. */
  readonly stoppedStream: boolean;
  readonly request: RecordedRequest;
}

export interface RecordedAudio {
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
  readonly bytes: Uint8Array | undefined;
  readonly user: string | undefined;
  readonly status: number;
  readonly request: RecordedRequest;
}

export function timestampMs(): number {
  return performance.timeOrigin + performance.now();
}
