import { ErrorCode } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { translateSlackError } from "../../../../adapters/slack/errors.js";
import {
  PlatformAuthError,
  PlatformError,
  PlatformNotFoundError,
  PlatformPermissionError,
  PlatformRateLimitError,
  PlatformValidationError,
} from "../../../../src/contracts/errors.js";

// Shapes as @slack/web-api throws them (code + data / retryAfter / statusCode).
const platformError = (error: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`An API error occurred: ${error}`), { code: ErrorCode.PlatformError, data: { ok: false, error, ...extra } });

describe("translateSlackError", () => {
  it("turns a 429 into PlatformRateLimitError with Retry-After in ms", () => {
    const err = translateSlackError(Object.assign(new Error("rate limited"), { code: ErrorCode.RateLimitedError, retryAfter: 12 }), "chat.update");
    expect(err).toBeInstanceOf(PlatformRateLimitError);
    expect((err as PlatformRateLimitError).retryAfterMs).toBe(12_000);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it.each([
    ["missing_scope", PlatformPermissionError],
    ["not_authed", PlatformAuthError],
    ["invalid_auth", PlatformAuthError],
    ["token_revoked", PlatformAuthError],
    ["channel_not_found", PlatformNotFoundError],
    ["message_not_found", PlatformNotFoundError],
    ["not_in_channel", PlatformPermissionError],
    ["msg_too_long", PlatformValidationError],
    ["msg_blocks_too_long", PlatformValidationError],
    ["invalid_blocks", PlatformValidationError],
    ["streaming_state_conflict", PlatformValidationError],
    ["message_not_in_streaming_state", PlatformValidationError],
    ["internal_error", PlatformError],
  ])("%s → %o", (code, type) => {
    const err = translateSlackError(platformError(code), "chat.update");
    expect(err).toBeInstanceOf(type);
    expect(err.platform).toBe("slack");
  });

  it("names the missing scope and the method", () => {
    const err = translateSlackError(platformError("missing_scope", { needed: "files:write" }), "files.uploadV2") as PlatformPermissionError;
    expect(err.scope).toBe("files:write");
    expect(err.action).toBe("files.uploadV2");
  });

  it("gives too-long errors the too_long reason", () => {
    expect(translateSlackError(platformError("msg_too_long"), "chat.update")).toMatchObject({ reason: "too_long" });
  });

  it("treats network and HTTP failures as unavailable (retryable)", () => {
    const net = translateSlackError(Object.assign(new Error("x"), { code: ErrorCode.RequestError }), "chat.postMessage");
    const http = translateSlackError(Object.assign(new Error("x"), { code: ErrorCode.HTTPError, statusCode: 502 }), "chat.postMessage");
    expect(net.code).toBe("PLATFORM_UNAVAILABLE");
    expect(http.code).toBe("PLATFORM_UNAVAILABLE");
    expect(http.message).toContain("502");
  });

  it("passes PlatformErrors through", () => {
    const original = new PlatformNotFoundError("slack", "gone");
    expect(translateSlackError(original, "chat.delete")).toBe(original);
  });
});
