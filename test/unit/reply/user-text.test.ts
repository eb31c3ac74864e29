import { describe, expect, it } from "vitest";
import { PlatformError, PlatformRateLimitError } from "../../../src/contracts/errors.js";
import {
  DifyAbortedError,
  DifyConnectionError,
  type DifyError,
  type DifyErrorCode,
  DifyStreamError,
  DifyStreamIncompleteError,
  DifyTimeoutError,
  difyErrorFromResponse,
} from "../../../src/dify/errors.js";
import { VoiceConversionError } from "../../../src/media/voice-transcoder.js";
import { INTERRUPTED_TEXT, STOPPED_TEXT, toUserText, workflowFailedText } from "../../../src/reply/user-text.js";

const SECRET = "sk-live-SECRET-123 at http://10.0.0.7:5001/internal";
const body = (code: string, message = `failed: ${SECRET}`) => JSON.stringify({ code, message, status: 0 });

/** One error per code, built the way the client builds them. */
const ERRORS: Array<[DifyErrorCode, DifyError]> = [
  ["DIFY_BAD_REQUEST", difyErrorFromResponse(400, body("invalid_param"))],
  ["DIFY_UNAUTHORIZED", difyErrorFromResponse(401, body("unauthorized"))],
  ["DIFY_FORBIDDEN", difyErrorFromResponse(403, body("forbidden"))],
  ["DIFY_NOT_FOUND", difyErrorFromResponse(404, `<html><body>Not Found ${SECRET}</body></html>`)],
  ["DIFY_CONVERSATION_NOT_FOUND", difyErrorFromResponse(404, body("not_found", `Conversation Not Exists. ${SECRET}`))],
  ["DIFY_TOO_LARGE", difyErrorFromResponse(413, body("file_too_large"))],
  ["DIFY_UNSUPPORTED_MEDIA", difyErrorFromResponse(415, body("unsupported_file_type"))],
  ["DIFY_CONCURRENCY_LIMITED", difyErrorFromResponse(429, body("too_many_requests"), new Headers({ "retry-after": "3" }))],
  ["DIFY_QUOTA_EXCEEDED", difyErrorFromResponse(429, body("rate_limit_error"))],
  ["DIFY_SERVER_ERROR", difyErrorFromResponse(502, `<h1>Bad gateway</h1> ${SECRET}`)],
  ["DIFY_CONNECTION", new DifyConnectionError(`connect ECONNREFUSED ${SECRET}`)],
  ["DIFY_TIMEOUT", new DifyTimeoutError(`no data for 60000 ms from ${SECRET}`)],
  ["DIFY_STREAM_ERROR", new DifyStreamError(400, "completion_request_error", `model said ${SECRET}`)],
  ["DIFY_STREAM_INCOMPLETE", new DifyStreamIncompleteError(`ended early ${SECRET}`)],
  ["DIFY_ABORTED", new DifyAbortedError(`aborted ${SECRET}`)],
];

const GENERIC = "⚠️ Something went wrong while answering. Please try again.";

function expectOneWarningLine(text: string): void {
  expect(text.startsWith("⚠️ ")).toBe(true);
  expect(text).not.toContain("\n");
  expect(text).not.toContain("SECRET");
  expect(text).not.toContain("10.0.0.7");
  expect(text.length).toBeLessThan(120);
}

describe("toUserText", () => {
  it("builds the fixture errors with the codes they stand for", () => {
    expect(ERRORS.map(([, err]) => err.code)).toEqual(ERRORS.map(([code]) => code));
  });

  it.each(ERRORS)("gives %s one ⚠️ line of its own, never the error's message", (_code, err) => {
    const text = toUserText(err);
    expectOneWarningLine(text);
    expect(text).not.toBe(GENERIC);
  });

  it("gives different codes different lines where the advice differs", () => {
    const texts = new Set(ERRORS.map(([, err]) => toUserText(err)));
    // Unauthorized/forbidden and the two not-found codes share their advice.
    expect(texts.size).toBe(ERRORS.length - 2);
  });

  it("tells an aborted answer apart as interrupted", () => {
    expect(toUserText(new DifyAbortedError("shutdown"))).toBe(INTERRUPTED_TEXT);
  });

  it("explains Dify's bad-request codes", () => {
    const cases: Array<[string, string, string]> = [
      ["provider_not_initialize", "No valid model provider credentials found.", "⚠️ The assistant's model provider is not configured in Dify."],
      ["app_unavailable", "App unavailable", "⚠️ The assistant app is unavailable: check its configuration in Dify."],
      ["not_chat_app", "Please check if your app mode matches the right API route.", "⚠️ The assistant app is unavailable: check its configuration in Dify."],
      [
        "model_currently_not_support",
        "Dify Hosted OpenAI trial currently not support the GPT-4 model.",
        "⚠️ The assistant's model is not available on this Dify plan.",
      ],
      ["completion_request_error", `Bad request ${SECRET}`, "⚠️ The AI model returned an error. Please try again."],
      ["invalid_param", "topic is required in input form", "⚠️ The assistant needs input values that are not configured (DIFY_INPUTS)."],
      ["invalid_param", "topic in input form must be less than 48 characters", "⚠️ The assistant needs input values that are not configured (DIFY_INPUTS)."],
      ["invalid_param", `File validation failed for ${SECRET}`, "⚠️ The assistant could not use the attached file."],
      ["invalid_param", `Something else ${SECRET}`, "⚠️ The assistant could not handle this request."],
    ];
    for (const [code, message, expected] of cases) {
      const text = toUserText(difyErrorFromResponse(400, body(code, message)));
      expect(text, code).toBe(expected);
      expectOneWarningLine(text);
    }
  });

  it("explains errors reported inside the stream", () => {
    const cases: Array<[string | undefined, string | undefined, string]> = [
      ["provider_quota_exceeded", `quota ${SECRET}`, "⚠️ The assistant's model quota is used up."],
      ["provider_not_initialize", undefined, "⚠️ The assistant's model provider is not configured in Dify."],
      ["completion_request_error", `[openai] Error: ${SECRET}`, "⚠️ The AI model returned an error while answering."],
      ["invalid_param", `Run failed: node LLM ${SECRET}`, "⚠️ The assistant's workflow failed."],
      ["invalid_param", `Invalid ${SECRET}`, "⚠️ The assistant could not handle this request."],
      [undefined, `Internal ${SECRET}`, "⚠️ The assistant hit an error while answering."],
    ];
    for (const [code, message, expected] of cases) {
      const text = toUserText(new DifyStreamError(500, code, message));
      expect(text, String(code)).toBe(expected);
      expectOneWarningLine(text);
    }
  });

  it("falls back to a generic line for anything else", () => {
    const others: unknown[] = [
      new Error(`TypeError in ${SECRET}`),
      new PlatformError("slack", `invalid_auth ${SECRET}`),
      new PlatformRateLimitError("discord", 3_000),
      new VoiceConversionError(`bad ogg ${SECRET}`),
      `a string ${SECRET}`,
      undefined,
      null,
    ];
    for (const err of others) {
      const text = toUserText(err);
      expectOneWarningLine(text);
      expect(text).toBe(GENERIC);
    }
  });

  it("treats an unusual HTTP status from Dify as a request it could not handle", () => {
    expect(toUserText(difyErrorFromResponse(409, body("conflict")))).toBe("⚠️ The assistant could not handle this request.");
  });

  it("keeps the stopped line apart from the warnings", () => {
    expect(STOPPED_TEXT.startsWith("⚠️")).toBe(false);
    expect(STOPPED_TEXT).not.toContain("\n");
  });
});

describe("2026 error codes (docs/dify-2026.md §4)", () => {
  const http = (status: number, code: string, message = "") => difyErrorFromResponse(status, JSON.stringify({ code, message, status }));

  it("treats conversation_completed like a conversation Dify no longer has (a fresh one is started)", () => {
    expect(http(400, "conversation_completed", "Conversation has ended.").code).toBe("DIFY_CONVERSATION_NOT_FOUND");
  });

  it("gives agent_not_published, workflow_version_execution_not_allowed and model_currently_not_support their own text", () => {
    expect(toUserText(http(400, "agent_not_published"))).toBe("⚠️ The assistant has no published version yet: publish the agent in Dify.");
    expect(toUserText(http(403, "workflow_version_execution_not_allowed"))).toBe("⚠️ The assistant's Dify plan does not allow running this workflow version.");
    expect(toUserText(new DifyStreamError(400, "model_currently_not_support", "x"))).toBe("⚠️ The assistant's model is not available right now.");
  });

  it("names a failed workflow with Dify's own error, cut to one line", () => {
    expect(workflowFailedText("Node LLM\nfailed")).toBe("⚠️ The assistant's workflow failed: Node LLM failed");
    expect(workflowFailedText(undefined)).toBe("⚠️ The assistant's workflow failed.");
    expect(workflowFailedText("x".repeat(400)).length).toBeLessThan(340);
  });
});
