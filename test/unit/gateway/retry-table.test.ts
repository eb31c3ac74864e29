import { describe, expect, it } from "vitest";
import {
  PlatformAuthError,
  PlatformError,
  PlatformNotFoundError,
  PlatformPermissionError,
  PlatformRateLimitError,
  PlatformValidationError,
} from "../../../src/contracts/errors.js";
import { classifyPlatformFailure, isPermanentPlatformFailure, transientRetryDelayMs } from "../../../src/gateway/retry-table.js";

describe("the platform retry table", () => {
  it.each([
    ["a 429", new PlatformRateLimitError("slack", 1_000), "rate_limited"],
    ["an outage or 5xx", new PlatformError("discord", "Discord answered HTTP 502"), "transient"],
    ["a network error no adapter translated", new Error("socket hang up"), "transient"],
    ["a missing permission", new PlatformPermissionError("slack", "chat.postMessage", "chat:write"), "permanent"],
    ["a revoked token", new PlatformAuthError("slack", "chat.update: token_revoked"), "permanent"],
    ["content the platform rejects", new PlatformValidationError("discord", "too_long", "BASE_TYPE_MAX_LENGTH"), "permanent"],
    ["a channel or message that is gone", new PlatformNotFoundError("slack", "chat.update: channel_not_found"), "permanent"],
  ] as const)("%s is %s", (_, err, expected) => {
    expect(classifyPlatformFailure(err)).toBe(expected);
    expect(isPermanentPlatformFailure(err)).toBe(expected === "permanent");
  });

  it("backs off exponentially to 5 s, twice as long for errors no adapter recognised", () => {
    const platform = new PlatformError("slack", "HTTP 503");
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => transientRetryDelayMs(platform, n))).toEqual([200, 400, 800, 1_600, 3_200, 5_000, 5_000]);
    expect(transientRetryDelayMs(new Error("ECONNRESET"), 1)).toBe(400);
  });
});
