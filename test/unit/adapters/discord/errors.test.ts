import { DiscordAPIError, HTTPError, RateLimitError } from "discord.js";
import { describe, expect, it } from "vitest";
import { translateDiscordError } from "../../../../adapters/discord/errors.js";
import {
  PlatformAuthError,
  PlatformError,
  PlatformNotFoundError,
  PlatformPermissionError,
  PlatformRateLimitError,
  PlatformValidationError,
} from "../../../../src/contracts/errors.js";

const op = { action: "post message", permission: "Send Messages in Threads" };
const apiError = (code: number, status: number, extra: Record<string, unknown> = {}) =>
  new DiscordAPIError({ code, message: "m", ...extra }, code, status, "POST", "https://discord.com/api/v10/channels/1/messages", {
    body: undefined,
    files: undefined,
  });

function rateLimitError(retryAfter: number, global: boolean): RateLimitError {
  return new RateLimitError({
    timeToReset: retryAfter,
    limit: 5,
    method: "PATCH",
    hash: "h",
    url: "u",
    route: "/channels/:id/messages/:id",
    majorParameter: "1",
    global,
    retryAfter,
    sublimitTimeout: 0,
    scope: global ? "global" : "user",
  });
}

describe("translateDiscordError", () => {
  it("turns RateLimitError into PlatformRateLimitError with retryAfterMs and global", () => {
    const local = translateDiscordError(rateLimitError(3550.4, false), op);
    expect(local).toBeInstanceOf(PlatformRateLimitError);
    expect(local).toMatchObject({ platform: "discord", code: "PLATFORM_RATE_LIMITED", retryAfterMs: 3551, global: false });
    expect(translateDiscordError(rateLimitError(800, true), op)).toMatchObject({ retryAfterMs: 800, global: true });
  });

  it("maps a raw 429 API error from its retry_after", () => {
    const err = translateDiscordError(apiError(0, 429, { retry_after: 1.5, global: true }), op);
    expect(err).toMatchObject({ retryAfterMs: 1500, global: true });
  });

  it("names the missing permission for 50013 and View Channel for 50001", () => {
    const err = translateDiscordError(apiError(50013, 403), op);
    expect(err).toBeInstanceOf(PlatformPermissionError);
    expect(err).toMatchObject({ action: "post message", scope: "Send Messages in Threads" });
    expect(translateDiscordError(apiError(50001, 403), op)).toMatchObject({ scope: "View Channel" });
  });

  it("maps unknown channel/message to not found, 401 to auth", () => {
    expect(translateDiscordError(apiError(10003, 404), op)).toBeInstanceOf(PlatformNotFoundError);
    expect(translateDiscordError(apiError(10008, 404), op)).toBeInstanceOf(PlatformNotFoundError);
    expect(translateDiscordError(apiError(0, 401), op)).toBeInstanceOf(PlatformAuthError);
    expect(translateDiscordError(Object.assign(new Error("An invalid token was provided."), { code: "TokenInvalid" }), op)).toBeInstanceOf(PlatformAuthError);
  });

  it("maps invalid form bodies to validation errors, too long when Discord says so", () => {
    const tooLong = apiError(50035, 400, { errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }] } } });
    expect(translateDiscordError(tooLong, op)).toMatchObject({ reason: "too_long" });
    expect(translateDiscordError(apiError(50035, 400), op)).toMatchObject({ reason: "invalid" });
    expect(translateDiscordError(apiError(40005, 413), op)).toMatchObject({ reason: "too_large" });
    expect(translateDiscordError(apiError(50006, 400), op)).toBeInstanceOf(PlatformValidationError);
  });

  it("treats the old-message edit limit (30046) as a rate limit", () => {
    expect(translateDiscordError(apiError(30046, 400), op)).toMatchObject({ code: "PLATFORM_RATE_LIMITED", retryAfterMs: 60_000 });
  });

  it("maps server and network failures to a plain PlatformError that names the operation", () => {
    const server = translateDiscordError(new HTTPError(502, "Bad Gateway", "POST", "u", { body: undefined, files: undefined }), op);
    expect(server.constructor).toBe(PlatformError);
    expect(server.message).toBe("post message: Discord answered HTTP 502");
    const network = translateDiscordError(new TypeError("fetch failed"), op);
    expect(network.code).toBe("PLATFORM_UNAVAILABLE");
    expect(network.cause).toBeInstanceOf(TypeError);
  });
});
