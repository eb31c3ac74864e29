import { describe, expect, it } from "vitest";
import { BridgeError } from "../../../src/contracts/errors.js";
import {
  DifyApiError,
  DifyBadRequestError,
  DifyConcurrencyLimitError,
  DifyConversationNotFoundError,
  DifyForbiddenError,
  DifyNotFoundError,
  DifyPayloadTooLargeError,
  DifyQuotaExceededError,
  DifyServerError,
  DifyUnauthorizedError,
  DifyUnsupportedMediaError,
  difyErrorFromResponse,
  parseRetryAfterMs,
} from "../../../src/dify/errors.js";
import { pythonJson, replies } from "../../fakes/dify/index.js";

/** The exact body the fake (like flask-restx) writes for a reply. */
function bodyOf(reply: { body: unknown }): string {
  return typeof reply.body === "string" ? reply.body : `${pythonJson(reply.body)}\n`;
}
const envelope = (status: number, code: string, message: string) => bodyOf(replies.json(status, code, message));

describe("difyErrorFromResponse", () => {
  const cases: ReadonlyArray<[string, number, string, new (...args: never[]) => DifyApiError, string, string | undefined]> = [
    ["invalid param", 400, envelope(400, "invalid_param", "query is required"), DifyBadRequestError, "DIFY_BAD_REQUEST", "invalid_param"],
    [
      "concurrency, 1.12.1 form",
      400,
      bodyOf(replies.tooManyRequests("invalid_param", 2)),
      DifyConcurrencyLimitError,
      "DIFY_CONCURRENCY_LIMITED",
      "invalid_param",
    ],
    [
      "concurrency, documented form",
      429,
      bodyOf(replies.tooManyRequests("too_many_requests", 2)),
      DifyConcurrencyLimitError,
      "DIFY_CONCURRENCY_LIMITED",
      "too_many_requests",
    ],
    ["cloud quota", 429, bodyOf(replies.quotaExceeded()), DifyQuotaExceededError, "DIFY_QUOTA_EXCEEDED", "rate_limit_error"],
    [
      "provider quota",
      400,
      envelope(400, "provider_quota_exceeded", "Your quota for Dify Hosted OpenAI has been exhausted."),
      DifyQuotaExceededError,
      "DIFY_QUOTA_EXCEEDED",
      "provider_quota_exceeded",
    ],
    ["429 without JSON", 429, "<html>Too Many Requests</html>", DifyConcurrencyLimitError, "DIFY_CONCURRENCY_LIMITED", undefined],
    ["bad key", 401, envelope(401, "unauthorized", "Access token is invalid"), DifyUnauthorizedError, "DIFY_UNAUTHORIZED", "unauthorized"],
    ["app disabled", 403, envelope(403, "forbidden", "The app's API service has been disabled."), DifyForbiddenError, "DIFY_FORBIDDEN", "forbidden"],
    ["conversation gone", 404, bodyOf(replies.conversationNotFound(false)), DifyConversationNotFoundError, "DIFY_CONVERSATION_NOT_FOUND", "not_found"],
    [
      "conversation gone, flask-restx suffix",
      404,
      bodyOf(replies.conversationNotFound(true)),
      DifyConversationNotFoundError,
      "DIFY_CONVERSATION_NOT_FOUND",
      "not_found",
    ],
    ["message gone", 404, envelope(404, "not_found", "Message Not Exists."), DifyNotFoundError, "DIFY_NOT_FOUND", "not_found"],
    ["routing 404 page", 404, bodyOf(replies.flaskNotFound()), DifyNotFoundError, "DIFY_NOT_FOUND", undefined],
    ["nginx body limit", 413, bodyOf(replies.nginx(413)), DifyPayloadTooLargeError, "DIFY_TOO_LARGE", undefined],
    [
      "audio type",
      415,
      envelope(415, "unsupported_audio_type", "Audio type not allowed."),
      DifyUnsupportedMediaError,
      "DIFY_UNSUPPORTED_MEDIA",
      "unsupported_audio_type",
    ],
    ["500 JSON", 500, bodyOf(replies.serverError()), DifyServerError, "DIFY_SERVER_ERROR", "internal_server_error"],
    ["500 unknown", 500, bodyOf(replies.unknownError()), DifyServerError, "DIFY_SERVER_ERROR", "unknown"],
    ["502 nginx page", 502, bodyOf(replies.nginx(502)), DifyServerError, "DIFY_SERVER_ERROR", undefined],
    ["Cloudflare 524", 524, bodyOf(replies.cloudflareTimeout()), DifyServerError, "DIFY_SERVER_ERROR", undefined],
  ];

  it.each(cases)("%s → %s", (_label, status, body, type, code, difyCode) => {
    const err = difyErrorFromResponse(status, body);
    expect(err).toBeInstanceOf(type);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.difyCode).toBe(difyCode);
    expect(err.name).toBe(type.name);
  });

  it("keeps Dify's message, unescaped from Python JSON, for logs", () => {
    const err = difyErrorFromResponse(400, envelope(400, "invalid_param", "文件 too big ✓"));
    expect(err.difyMessage).toBe("文件 too big ✓");
    expect(err.message).toBe("Dify answered 400 invalid_param: 文件 too big ✓");
  });

  it("turns a non-JSON body into an opaque error with a short text and its status", () => {
    const err = difyErrorFromResponse(413, bodyOf(replies.nginx(413)));
    expect(err.difyMessage).toBe("413 Request Entity Too Large 413 Request Entity Too Large nginx");
    expect(difyErrorFromResponse(500, "").difyMessage).toBeUndefined();
    expect(difyErrorFromResponse(500, "x".repeat(1000)).difyMessage).toHaveLength(200);
  });

  it("tolerates JSON that is not Dify's envelope", () => {
    for (const body of ["[1,2]", "null", '"text"', '{"code":5,"message":["a"]}']) {
      const err = difyErrorFromResponse(400, body);
      expect(err).toBeInstanceOf(DifyBadRequestError);
      expect(err.difyCode).toBeUndefined();
    }
  });

  it("carries the request id and Retry-After of a concurrency rejection", () => {
    const err = difyErrorFromResponse(429, bodyOf(replies.tooManyRequests()), new Headers({ "retry-after": "3", "x-request-id": "req-1" }));
    expect(err).toBeInstanceOf(DifyConcurrencyLimitError);
    expect((err as DifyConcurrencyLimitError).retryAfterMs).toBe(3000);
    expect(err.requestId).toBe("req-1");
  });

  it("keeps unusual statuses as a plain DifyApiError so the retry policy can look at them", () => {
    const err = difyErrorFromResponse(409, envelope(409, "conflict", "busy"));
    expect(err.constructor).toBe(DifyApiError);
    expect(err.status).toBe(409);
  });
});

describe("parseRetryAfterMs", () => {
  it("reads seconds and HTTP dates, and ignores junk", () => {
    expect(parseRetryAfterMs(new Headers({ "retry-after": "1.5" }))).toBe(1500);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(parseRetryAfterMs(new Headers({ "retry-after": inTenSeconds }))).toBeGreaterThan(8_000);
    expect(parseRetryAfterMs(new Headers({ "retry-after": new Date(0).toUTCString() }))).toBe(0);
    expect(parseRetryAfterMs(new Headers({ "retry-after": "soon" }))).toBeUndefined();
    expect(parseRetryAfterMs(new Headers())).toBeUndefined();
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
  });
});
