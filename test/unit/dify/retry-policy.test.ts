import { describe, expect, it } from "vitest";
import {
  DifyAbortedError,
  DifyConnectionError,
  DifyStreamError,
  DifyStreamIncompleteError,
  DifyTimeoutError,
  difyErrorFromResponse,
} from "../../../src/dify/errors.js";
import { backoffMs, type DifyFailureFate, fateOfDifyFailure } from "../../../src/dify/retry-policy.js";
import { pythonJson, replies } from "../../fakes/dify/index.js";

const http = (status: number, reply: { body: unknown }) => difyErrorFromResponse(status, typeof reply.body === "string" ? reply.body : pythonJson(reply.body));

const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });

describe("fateOfDifyFailure: only what Dify cannot have stored is asked again without looking", () => {
  const table: ReadonlyArray<[string, unknown, DifyFailureFate]> = [
    ["connection refused", new DifyConnectionError("cannot reach Dify", { cause: refused }), "not-received"],
    [
      "DNS failure (nested cause)",
      new DifyConnectionError("cannot reach Dify", { cause: new TypeError("fetch failed", { cause: { code: "ENOTFOUND" } }) }),
      "not-received",
    ],
    ["connection reset after sending", new DifyConnectionError("cannot reach Dify", { cause: reset }), "unknown"],
    ["connection error without a cause", new DifyConnectionError("cannot reach Dify"), "unknown"],
    ["timeout before the headers", new DifyTimeoutError("no answer"), "unknown"],
    ["concurrency 429", http(429, replies.tooManyRequests("too_many_requests")), "not-received"],
    ["concurrency 400 form", http(400, replies.tooManyRequests("invalid_param")), "not-received"],
    ["500", http(500, replies.serverError()), "unknown"],
    ["502 HTML", http(502, replies.nginx(502)), "unknown"],
    ["524 Cloudflare", http(524, replies.cloudflareTimeout()), "unknown"],
    ["408", http(408, replies.json(408, "request_timeout", "slow")), "not-received"],
    ["409", http(409, replies.json(409, "conflict", "busy")), "final"],
    ["425", http(425, replies.json(425, "too_early", "early")), "not-received"],
    ["quota 429", http(429, replies.quotaExceeded()), "final"],
    ["400 invalid_param", http(400, replies.json(400, "invalid_param", "query is required")), "final"],
    ["401", http(401, replies.json(401, "unauthorized", "Access token is invalid")), "final"],
    ["403", http(403, replies.json(403, "forbidden", "The app no longer exists.")), "final"],
    ["404 conversation", http(404, replies.conversationNotFound()), "final"],
    ["413", http(413, replies.nginx(413)), "final"],
    ["415", http(415, replies.json(415, "unsupported_audio_type", "Audio type not allowed.")), "final"],
    ["caller abort", new DifyAbortedError("stop"), "final"],
    ["in-band error", new DifyStreamError(400, "completion_request_error", "rate limit"), "final"],
    ["EOF without message_end", new DifyStreamIncompleteError("cut"), "final"],
    ["plain Error", new Error("boom"), "final"],
    ["a string", "boom", "final"],
  ];
  it.each(table)("%s → %s", (_label, err, expected) => {
    expect(fateOfDifyFailure(err)).toBe(expected);
  });
});

describe("backoffMs", () => {
  it("doubles from the base, with jitter between half and all of the step", () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, { random: () => 0 }))).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((a) => backoffMs(a, { random: () => 1 }))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(1, { random: () => 0.5 })).toBe(375);
  });

  it("is capped by maxMs and never below what the server asked for", () => {
    expect(backoffMs(30, { random: () => 1 })).toBe(15_000);
    expect(backoffMs(30, { random: () => 1, maxMs: 2_000 })).toBe(2_000);
    expect(backoffMs(1, { random: () => 0, retryAfterMs: 7_000 })).toBe(7_000);
    expect(backoffMs(3, { random: () => 1, baseMs: 100, retryAfterMs: 50 })).toBe(400);
  });

  it("treats attempt 0 or below like the first attempt", () => {
    expect(backoffMs(0, { random: () => 1 })).toBe(500);
    expect(backoffMs(-3, { random: () => 1 })).toBe(500);
  });
});
