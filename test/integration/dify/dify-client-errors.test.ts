import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DifyBadRequestError,
  DifyConcurrencyLimitError,
  DifyConnectionError,
  DifyConversationNotFoundError,
  DifyForbiddenError,
  DifyPayloadTooLargeError,
  DifyQuotaExceededError,
  DifyServerError,
  DifyStreamError,
  DifyStreamIncompleteError,
  DifyUnauthorizedError,
  DifyUnsupportedMediaError,
} from "../../../src/dify/errors.js";
import { fateOfDifyFailure } from "../../../src/dify/retry-policy.js";
import { createGate, defaultAppParameters, FakeDifyServer, replies, scripts, steps } from "../../fakes/dify/index.js";
import { chat, clientFor, drain, firstEvent } from "./client-helpers.js";

let dify: FakeDifyServer;
beforeEach(async () => {
  dify = await FakeDifyServer.start();
});
afterEach(async () => {
  await dify.close();
});

const USER = "slack:T1:U1";

describe("DifyClient HTTP errors", () => {
  it("401: a wrong key, on streams and JSON calls alike", async () => {
    const client = clientFor(dify, { apiKey: "app-not-the-key" });
    const { error } = await drain(client.streamChat(chat("q")));
    expect(error).toBeInstanceOf(DifyUnauthorizedError);
    expect(error).toMatchObject({ status: 401, difyCode: "unauthorized", difyMessage: "Access token is invalid" });
    await expect(client.getParameters()).rejects.toBeInstanceOf(DifyUnauthorizedError);
    await expect(client.stopTask("t", USER)).rejects.toBeInstanceOf(DifyUnauthorizedError);
    expect(dify.requests.map((r) => r.status)).toEqual([401, 401, 401]);
  });

  it("403: the app's API access is switched off", async () => {
    dify.configure({ appAccess: "api-disabled" });
    const { error } = await drain(clientFor(dify).streamChat(chat("q")));
    expect(error).toBeInstanceOf(DifyForbiddenError);
    expect(error).toMatchObject({ difyMessage: "The app's API service has been disabled." });
  });

  it("404: an unknown conversation, or one that belongs to another user, with or without flask-restx's suffix", async () => {
    const client = clientFor(dify);
    const { events } = await drain(client.streamChat(chat("mine", { user: "owner" })));
    const owned = events[0]?.conversationId as string;
    for (const notFoundHelpSuffix of [false, true]) {
      dify.configure({ notFoundHelpSuffix });
      for (const conversationId of [owned, "6f1c0b9e-0d6a-4c59-9a3e-2f7e5d4c3b2a"]) {
        const { error } = await drain(client.streamChat(chat("q", { user: USER, conversationId })));
        expect(error).toBeInstanceOf(DifyConversationNotFoundError);
        expect((error as DifyConversationNotFoundError).difyMessage?.endsWith(".") ?? false).toBe(!notFoundHelpSuffix);
      }
    }
  });

  it("413: nginx's HTML page for a body over its limit, and Dify's JSON for a file over the category limit", async () => {
    const client = clientFor(dify);
    dify.configure({ maxBodyBytes: 64 * 1024 });
    const tooBig = { data: new Uint8Array(100 * 1024), name: "scan.pdf", mimeType: "application/pdf" };
    await expect(client.uploadFile(tooBig, USER)).rejects.toMatchObject({ constructor: DifyPayloadTooLargeError, status: 413, difyCode: undefined });
    dify.configure({ maxBodyBytes: 100 * 1024 * 1024, parameters: { ...defaultAppParameters(), system_parameters: { image_file_size_limit: 1 } } });
    const bigImage = { data: new Uint8Array(1024 * 1024 + 1), name: "photo.png", mimeType: "image/png" };
    await expect(client.uploadFile(bigImage, USER)).rejects.toMatchObject({ constructor: DifyPayloadTooLargeError, difyCode: "file_too_large" });
  });

  it("415: an audio type the deployment refuses", async () => {
    dify.intercept((r) => (r.path === "/v1/audio-to-text" ? replies.json(415, "unsupported_audio_type", "Audio type not allowed.") : undefined));
    const audio = { data: new Uint8Array([1, 2]), name: "a.m4a", mimeType: "audio/m4a" };
    await expect(clientFor(dify).audioToText(audio, USER)).rejects.toMatchObject({
      constructor: DifyUnsupportedMediaError,
      difyCode: "unsupported_audio_type",
    });
  });

  it.each(["too_many_requests", "invalid_param"] as const)(
    "429/400: the app concurrency limit (%s form) is retryable, and the retry goes through",
    async (concurrencyErrorStyle) => {
      dify.configure({ concurrencyLimit: 1, concurrencyErrorStyle });
      const gate = createGate();
      dify.onChatOnce(() => [steps.message("busy"), steps.waitFor(gate), ...scripts.answer(" done")]);
      const client = clientFor(dify);
      const holder = client.streamChat(chat("first"));
      await firstEvent(holder);
      const rejected = await drain(client.streamChat(chat("second")));
      expect(rejected.error).toBeInstanceOf(DifyConcurrencyLimitError);
      expect(rejected.error).toMatchObject({ status: concurrencyErrorStyle === "too_many_requests" ? 429 : 400, difyCode: concurrencyErrorStyle });
      gate.open();
      await drain({ [Symbol.asyncIterator]: () => holder });
      expect((await drain(client.streamChat(chat("second, again")))).error).toBeUndefined();
      expect(dify.store.conversations.size).toBe(2);
    },
  );

  it("429: the cloud workflow quota is not a concurrency limit", async () => {
    dify.onChatOnce(() => replies.quotaExceeded());
    const { error } = await drain(clientFor(dify).streamChat(chat("q")));
    expect(error).toBeInstanceOf(DifyQuotaExceededError);
    expect(dify.store.conversations.size).toBe(0);
  });

  it("500: Dify's JSON and a gateway's HTML both become server errors that keep their status", async () => {
    dify.onChatOnce(
      () => replies.serverError(),
      () => replies.nginx(502),
      () => [steps.delay(20), replies.cloudflareTimeout()],
    );
    const client = clientFor(dify);
    const errors = [await drain(client.streamChat(chat("a"))), await drain(client.streamChat(chat("b"))), await drain(client.streamChat(chat("c")))].map(
      (r) => r.error,
    );
    expect(errors.map((e) => e instanceof DifyServerError && [e.status, e.difyCode])).toEqual([
      [500, "internal_server_error"],
      [502, undefined],
      [524, undefined],
    ]);
  });

  it("400: Dify's own validation (empty query)", async () => {
    const { error } = await drain(clientFor(dify).streamChat(chat("")));
    expect(error).toBeInstanceOf(DifyBadRequestError);
    expect(error).toMatchObject({ difyCode: "invalid_param", difyMessage: "query is required" });
  });

  it("connection refused", async () => {
    const origin = dify.baseUrl;
    await dify.close();
    const client = clientFor(dify, { baseUrl: origin });
    const { error } = await drain(client.streamChat(chat("q")));
    expect(error).toBeInstanceOf(DifyConnectionError);
    await expect(client.getInfo()).rejects.toBeInstanceOf(DifyConnectionError);
  });
});

describe("DifyClient stream failures", () => {
  it("an in-band error event throws DifyStreamError with Dify's status and code", async () => {
    dify.onChat(() => scripts.inBandError({ afterText: "Let me", code: "provider_quota_exceeded", status: 400, message: "quota gone" }));
    const { events, error } = await drain(clientFor(dify).streamChat(chat("q")));
    expect(events).toMatchObject([{ event: "text", answer: "Let me" }]);
    expect(error).toBeInstanceOf(DifyStreamError);
    expect(error).toMatchObject({ status: 400, difyCode: "provider_quota_exceeded", difyMessage: "quota gone" });
  });

  it("a failed Chatflow reports workflow_finished(failed), then throws on the error", async () => {
    dify.configure({ mode: "advanced-chat" });
    dify.onChat(() => scripts.inBandError({ chatflow: true }));
    const { events, error } = await drain(clientFor(dify).streamChat(chat("q")));
    expect(events.at(-1)).toMatchObject({ event: "workflow_finished", status: "failed" });
    expect(error).toMatchObject({
      constructor: DifyStreamError,
      difyCode: "invalid_param",
      difyMessage: "Run failed: [openai] Error: Incorrect API key provided",
    });
  });

  it("EOF without message_end throws DifyStreamIncompleteError after the text that did arrive", async () => {
    dify.onChatOnce(
      () => [steps.message("cut "), steps.message("off"), steps.eof(), ...scripts.answer("never sent")],
      () => [steps.message("no end")],
    );
    for (const expected of ["cut off", "no end"]) {
      const { events, error } = await drain(clientFor(dify).streamChat(chat("q")));
      expect(events.map((e) => (e.event === "text" ? e.answer : e.event)).join("")).toBe(expected);
      expect(error).toBeInstanceOf(DifyStreamIncompleteError);
    }
    expect(dify.streams.map((s) => s.endReason)).toEqual(["eof", "eof"]);
  });

  it("a connection reset mid-stream throws DifyStreamIncompleteError (the answer was cut off; not retried)", async () => {
    dify.onChat(() => [steps.message("half"), steps.delay(30), steps.reset()]);
    const { error, events } = await drain(clientFor(dify).streamChat(chat("q")));
    expect(error).toBeInstanceOf(DifyStreamIncompleteError);
    expect(fateOfDifyFailure(error)).toBe("final");
    expect(events.map((e) => e.event)).toEqual(["text"]);
    expect(dify.streams[0]?.endReason).toBe("reset");
  });

  it("a 200 that is not an event stream throws DifyStreamIncompleteError", async () => {
    dify.intercept((r) =>
      r.path === "/v1/chat-messages" ? { kind: "http-error", status: 200, body: "<html>captive portal</html>", contentType: "text/html" } : undefined,
    );
    const { error } = await drain(clientFor(dify).streamChat(chat("q")));
    expect(error).toBeInstanceOf(DifyStreamIncompleteError);
  });
});
