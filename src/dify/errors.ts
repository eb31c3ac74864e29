import { BridgeError } from "../contracts/errors.js";

export type DifyErrorCode =
  | "DIFY_BAD_REQUEST"
  | "DIFY_UNAUTHORIZED"
  | "DIFY_FORBIDDEN"
  | "DIFY_NOT_FOUND"
  | "DIFY_CONVERSATION_NOT_FOUND"
  | "DIFY_TOO_LARGE"
  | "DIFY_UNSUPPORTED_MEDIA"
  | "DIFY_CONCURRENCY_LIMITED"
  | "DIFY_QUOTA_EXCEEDED"
  | "DIFY_SERVER_ERROR"
  | "DIFY_CONNECTION"
  | "DIFY_TIMEOUT"
  | "DIFY_STREAM_ERROR"
  | "DIFY_STREAM_INCOMPLETE"
  | "DIFY_ABORTED"
  | "DIFY_FATE_UNKNOWN"
  | "DIFY_NO_QUERY_INPUT";

/** @internal The error family's root; the core branches on codes, the tests pin the classes the factory builds. */
export abstract class DifyError extends BridgeError {
  abstract override readonly code: DifyErrorCode;
}

export interface DifyApiErrorDetails {
  readonly status: number;
  /** Dify's own `code` ("invalid_param", "not_found"...), or undefined when the body was not Dify JSON. */
  readonly difyCode: string | undefined;
  /** Dify's `message`, trimmed; for logs only. */
  readonly difyMessage: string | undefined;
  readonly requestId?: string | undefined;
}

/** An HTTP error answer from Dify. Built only by `difyErrorFromResponse`. */
export class DifyApiError extends DifyError {
  readonly code: DifyErrorCode = "DIFY_BAD_REQUEST";
  readonly status: number;
  readonly difyCode: string | undefined;
  readonly difyMessage: string | undefined;
  readonly requestId: string | undefined;

  constructor(details: DifyApiErrorDetails, options?: { cause?: unknown }) {
    super(`Dify answered ${details.status}${details.difyCode ? ` ${details.difyCode}` : ""}${details.difyMessage ? `: ${details.difyMessage}` : ""}`, options);
    this.status = details.status;
    this.difyCode = details.difyCode;
    this.difyMessage = details.difyMessage;
    this.requestId = details.requestId;
  }
}

/** @internal The core branches on codes; the tests pin which class the factory builds. */
export class DifyBadRequestError extends DifyApiError {
  override readonly code = "DIFY_BAD_REQUEST" as const;
}
export class DifyUnauthorizedError extends DifyApiError {
  override readonly code = "DIFY_UNAUTHORIZED" as const;
}
/** @internal The core branches on codes; the tests pin which class the factory builds. */
export class DifyForbiddenError extends DifyApiError {
  override readonly code = "DIFY_FORBIDDEN" as const;
}
/** @internal The core branches on codes; the tests pin which class the factory builds. */
export class DifyNotFoundError extends DifyApiError {
  override readonly code: "DIFY_NOT_FOUND" | "DIFY_CONVERSATION_NOT_FOUND" = "DIFY_NOT_FOUND";
}
/** 404 "Conversation Not Exists.": the stored conversation was deleted or belongs to another user. */
export class DifyConversationNotFoundError extends DifyNotFoundError {
  override readonly code = "DIFY_CONVERSATION_NOT_FOUND" as const;
}
export class DifyPayloadTooLargeError extends DifyApiError {
  override readonly code = "DIFY_TOO_LARGE" as const;
}
export class DifyUnsupportedMediaError extends DifyApiError {
  override readonly code = "DIFY_UNSUPPORTED_MEDIA" as const;
}
/** The app's concurrent-request limit: worth retrying after a pause. */
export class DifyConcurrencyLimitError extends DifyApiError {
  override readonly code = "DIFY_CONCURRENCY_LIMITED" as const;
  constructor(details: DifyApiErrorDetails & { retryAfterMs?: number | undefined }, options?: { cause?: unknown }) {
    super(details, options);
    this.retryAfterMs = details.retryAfterMs;
  }
  readonly retryAfterMs: number | undefined;
}
/**
 * A plan or provider quota is used up: retrying does not help.
 * @internal The core branches on codes; the tests pin which class the factory builds.
 */
export class DifyQuotaExceededError extends DifyApiError {
  override readonly code = "DIFY_QUOTA_EXCEEDED" as const;
}
export class DifyServerError extends DifyApiError {
  override readonly code = "DIFY_SERVER_ERROR" as const;
}

/** Dify could not be reached, or the connection broke. */
export class DifyConnectionError extends DifyError {
  readonly code = "DIFY_CONNECTION" as const;
}
/** No answer, or a stream silent for longer than the idle timeout (Dify pings every ~10 s). */
export class DifyTimeoutError extends DifyError {
  readonly code = "DIFY_TIMEOUT" as const;
}
/** The caller aborted (stop button, shutdown). */
export class DifyAbortedError extends DifyError {
  readonly code = "DIFY_ABORTED" as const;
}

/**
 * The question may be in Dify (a timeout or a 5xx after it was sent) and the bridge could not find out whether
 * it was, or its answer never became available: it is not asked again, so it is never asked twice.
 */
export class DifyFateUnknownError extends DifyError {
  readonly code = "DIFY_FATE_UNKNOWN" as const;
}

/** A Workflow or Text Generator app whose start form has no text input for the question (nor a configured one). */
export class DifyNoQueryInputError extends DifyError {
  readonly code = "DIFY_NO_QUERY_INPUT" as const;
  constructor() {
    super("the app has no text input to take the question; set DIFY_QUERY_INPUT (or query_input in ROUTES_FILE)");
  }
}

/** An `event: error` inside a 200 stream. `status` and `difyCode` come from the event's JSON. */
export class DifyStreamError extends DifyError {
  readonly code = "DIFY_STREAM_ERROR" as const;
  constructor(
    readonly status: number | undefined,
    readonly difyCode: string | undefined,
    readonly difyMessage: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`Dify stream error${difyCode ? ` ${difyCode}` : ""}${difyMessage ? `: ${difyMessage}` : ""}`, options);
  }
}

/** The stream ended without `message_end` (proxy cut, Dify restart). */
export class DifyStreamIncompleteError extends DifyError {
  readonly code = "DIFY_STREAM_INCOMPLETE" as const;
}

/**
 * The one place HTTP error answers become typed errors. Branches on status + Dify `code`, never on the full
 * message (flask-restx may append "did you mean ..." to 404 texts); non-JSON bodies keep their status.
 */
export function difyErrorFromResponse(status: number, bodyText: string, headers?: Headers): DifyApiError {
  let difyCode: string | undefined;
  let difyMessage: string | undefined;
  try {
    const body: unknown = JSON.parse(bodyText);
    if (body && typeof body === "object" && !Array.isArray(body)) {
      const b = body as Record<string, unknown>;
      if (typeof b.code === "string") difyCode = b.code;
      if (typeof b.message === "string") difyMessage = b.message.trim().slice(0, 500);
    }
  } catch {
    // HTML 404/413 pages, Cloudflare 5xx: an opaque error that keeps its status.
    difyMessage =
      bodyText
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim()
        .slice(0, 200) || undefined;
  }
  const details: DifyApiErrorDetails = {
    status,
    difyCode,
    difyMessage,
    requestId: headers?.get("x-request-id") ?? undefined,
  };
  const message = difyMessage ?? "";

  if ((status === 429 && difyCode === "too_many_requests") || (status === 400 && difyCode === "invalid_param" && message.startsWith("Too many requests"))) {
    return new DifyConcurrencyLimitError({ ...details, retryAfterMs: parseRetryAfterMs(headers) });
  }
  if (status === 429 && difyCode !== "rate_limit_error") {
    return new DifyConcurrencyLimitError({ ...details, retryAfterMs: parseRetryAfterMs(headers) });
  }
  if (status === 429) return new DifyQuotaExceededError(details);
  if (status === 400 && difyCode === "provider_quota_exceeded") return new DifyQuotaExceededError(details);
  // The conversation cannot take more messages (2026): like a deleted one, the thread starts a fresh one.
  if (status === 400 && difyCode === "conversation_completed") return new DifyConversationNotFoundError(details);
  if (status === 400) return new DifyBadRequestError(details);
  if (status === 401) return new DifyUnauthorizedError(details);
  if (status === 403) return new DifyForbiddenError(details);
  if (status === 404) {
    return message.startsWith("Conversation Not Exists") ? new DifyConversationNotFoundError(details) : new DifyNotFoundError(details);
  }
  if (status === 413) return new DifyPayloadTooLargeError(details);
  if (status === 415) return new DifyUnsupportedMediaError(details);
  if (status >= 500) return new DifyServerError(details);
  // 408, 409 and anything unusual: keep the status so the retry policy can decide.
  return new DifyApiError(details);
}

/** @internal Exported for its unit test. */
export function parseRetryAfterMs(headers?: Headers): number | undefined {
  const raw = headers?.get("retry-after");
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
