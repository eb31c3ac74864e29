import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeDifyServer } from "../../fakes/dify/index.js";
import { chatBody, multipart, rawRequest } from "./raw-requests.js";

/** The fake must refuse what real Dify refuses, with the same status and body (docs/dify-service-api.md 2, 3, 10-14). */

let dify: FakeDifyServer;
beforeEach(async () => {
  dify = await FakeDifyServer.start();
});
afterEach(async () => {
  await dify.close();
});

const post = (path: string, json: unknown) => rawRequest(dify, "POST", path, { json });

describe("auth and request decoding", () => {
  it.each([
    [null, "Authorization header must be provided and start with 'Bearer'"],
    ["Bearer", "Authorization header must be provided and start with 'Bearer'"],
    ["Basic abc", "Authorization scheme must be 'Bearer'"],
    ["Bearer app-wrong", "Access token is invalid"],
  ])("401 for Authorization %j, with Dify's flask-restx body", async (auth, message) => {
    const res = await rawRequest(dify, "GET", "/v1/parameters", { auth });
    expect(res.status).toBe(401);
    expect(res.text).toBe(`{"code": "unauthorized", "message": "${message}", "status": 401}\n`);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="api"');
  });

  it("accepts any case of the scheme and extra spaces before the key", async () => {
    expect((await rawRequest(dify, "GET", "/v1/info", { auth: `bearer    ${dify.apiKey}` })).status).toBe(200);
  });

  it.each([
    ["deleted", "The app no longer exists."],
    ["abnormal", "The app's status is abnormal."],
    ["api-disabled", "The app's API service has been disabled."],
    ["archived", "The workspace's status is archived."],
  ] as const)("403 when the app is %s", async (appAccess, message) => {
    dify.configure({ appAccess });
    expect((await rawRequest(dify, "GET", "/v1/info")).json).toEqual({ code: "forbidden", message, status: 403 });
  });

  it("415 without a JSON content type, 400 for broken JSON, 500 for a JSON array", async () => {
    const noType = await rawRequest(dify, "POST", "/v1/chat-messages", { body: JSON.stringify(chatBody()) });
    expect(noType.json).toEqual({
      code: "unsupported_media_type",
      message: "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
      status: 415,
    });
    const broken = await rawRequest(dify, "POST", "/v1/chat-messages", { body: "{nope", headers: { "content-type": "application/json" } });
    expect(broken.json).toEqual({ code: "bad_request", message: "The browser (or proxy) sent a request that this server could not understand.", status: 400 });
    expect((await post("/v1/chat-messages", [chatBody()])).json).toEqual({ message: "Internal Server Error", code: "unknown", status: 500 });
  });

  it("routing: unknown paths and non-UUID ids are Flask's HTML 404, wrong methods 405; GET /v1/ needs no key", async () => {
    const unknown = await rawRequest(dify, "GET", "/v1/nope");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toMatch(/^text\/html/);
    expect((await post("/v1/messages/not-a-uuid/feedbacks", { rating: "like", user: "u1" })).status).toBe(404);
    expect((await rawRequest(dify, "GET", "/v1/chat-messages")).status).toBe(405);
    expect((await rawRequest(dify, "GET", "/v1/", { auth: null })).text).toBe('{"welcome": "Dify OpenAPI", "api_version": "v1", "server_version": "1.12.1"}\n');
  });
});

describe("POST /chat-messages validation", () => {
  it("checks user before anything else", async () => {
    for (const user of [undefined, "", null]) {
      expect((await post("/v1/chat-messages", { ...chatBody({ user }), query: undefined })).json).toEqual({
        code: "invalid_param",
        message: "Arg user must be provided.",
        status: 400,
      });
    }
  });

  it("reports payload problems as pydantic text, or in the old reqparse shape", async () => {
    const missing = (await post("/v1/chat-messages", { inputs: {}, user: "u1" })).json as { message: string };
    expect(missing.message).toMatch(
      /^1 validation error for ChatRequestPayload\nquery\n {2}Field required \[type=missing, input_value=\{'inputs': \{\}, 'user': 'u1'\}, input_type=dict\]\n/,
    );
    for (const [patch, field] of [
      [{ inputs: null }, "inputs"],
      [{ inputs: undefined }, "inputs"],
      [{ response_mode: "fast" }, "response_mode"],
      [{ conversation_id: "abc" }, "conversation_id"],
      [{ query: 5 }, "query"],
    ] as const) {
      const res = await post("/v1/chat-messages", chatBody(patch));
      expect(res.status).toBe(400);
      expect((res.json as { message: string }).message.split("\n")[1]).toBe(field);
    }
    dify.configure({ validationErrorStyle: "reqparse" });
    expect((await post("/v1/chat-messages", chatBody({ conversation_id: "abc" }))).json).toMatchObject({
      code: "invalid_param",
      params: "conversation_id",
      status: 400,
    });
  });

  it("refuses an empty query, a foreign conversation, undeclared modes and blocking agents", async () => {
    expect((await post("/v1/chat-messages", chatBody({ query: "\u0000" }))).json).toEqual({ code: "invalid_param", message: "query is required", status: 400 });
    expect((await post("/v1/chat-messages", chatBody({ conversation_id: "6f1c0b9e-0d6a-4c59-9a3e-2f7e5d4c3b2a" }))).json).toEqual({
      code: "not_found",
      message: "Conversation Not Exists.",
      status: 404,
    });
    dify.configure({ mode: "agent-chat" });
    expect((await post("/v1/chat-messages", chatBody({ response_mode: "blocking" }))).json).toMatchObject({
      code: "invalid_param",
      message: "Agent Chat App does not support blocking mode",
    });
    dify.configure({ mode: "workflow" });
    expect((await post("/v1/chat-messages", chatBody())).json).toMatchObject({ code: "not_chat_app", status: 400 });
  });

  it("validates inputs against the app's form on every turn", async () => {
    dify.configure({
      parameters: {
        user_input_form: [{ select: { variable: "team", required: true, options: ["sales", "ops"] } }, { number: { variable: "days", required: false } }],
      },
    });
    const problem = async (inputs: Record<string, unknown>) => ((await post("/v1/chat-messages", chatBody({ inputs }))).json as { message: string }).message;
    expect(await problem({})).toBe("team is required in input form");
    expect(await problem({ team: 3 })).toBe("(type 'select') team in input form must be a string");
    expect(await problem({ team: "hr" })).toBe("team in input form must be one of the following: ['sales', 'ops']");
    expect(await problem({ team: "ops", days: "many" })).toBe("days in input form must be a valid number");
  });

  it("resolves files: unknown uploads and disallowed types are refused, files are ignored when upload is off", async () => {
    const file = (extra: Record<string, unknown>) => chatBody({ files: [{ type: "image", transfer_method: "local_file", ...extra }] });
    expect(((await post("/v1/chat-messages", file({}))).json as { message: string }).message).toBe("Invalid upload file id");
    expect(((await post("/v1/chat-messages", file({ upload_file_id: "x" }))).json as { message: string }).message).toBe("Invalid upload file id format");
    expect(((await post("/v1/chat-messages", file({ upload_file_id: "6f1c0b9e-0d6a-4c59-9a3e-2f7e5d4c3b2a" }))).json as { message: string }).message).toBe(
      "Invalid upload file",
    );
    expect(
      (
        (await post("/v1/chat-messages", chatBody({ files: [{ type: "sticker", transfer_method: "remote_url", url: "https://x/a.png" }] }))).json as {
          message: string;
        }
      ).message,
    ).toBe("'sticker' is not a valid FileType");
    dify.configure({ parameters: { file_upload: { enabled: false } } });
    expect((await post("/v1/chat-messages", file({ upload_file_id: "x" }))).status).toBe(200);
  });

  it("answers blocking requests with the whole answer as JSON", async () => {
    const res = await post("/v1/chat-messages", chatBody({ response_mode: undefined, query: "héllo" }));
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.text).toContain('"answer": "echo: h\\u00e9llo"');
    expect(res.json).toMatchObject({ event: "message", mode: "chat", answer: "echo: héllo", metadata: { usage: { total_tokens: expect.any(Number) } } });
  });
});

describe("other endpoints", () => {
  it("feedback: only the message's user, only like/dislike/null", async () => {
    await post("/v1/chat-messages", chatBody());
    const messageId = dify.streams[0]?.messageId as string;
    expect((await post(`/v1/messages/${messageId}/feedbacks`, { rating: "like", user: "u2" })).json).toEqual({
      code: "not_found",
      message: "Message Not Exists.",
      status: 404,
    });
    expect((await post(`/v1/messages/${messageId}/feedbacks`, { rating: "meh", user: "u1" })).status).toBe(400);
    expect((await post(`/v1/messages/${messageId}/feedbacks`, { rating: null, user: "u1" })).json).toEqual({
      code: "invalid_param",
      message: "rating cannot be None when feedback not exists",
      status: 400,
    });
    expect((await post(`/v1/messages/${messageId}/feedbacks`, { rating: "like", user: "u1" })).text).toBe('{"result": "success"}\n');
  });

  it("audio-to-text accepts exactly five types", async () => {
    const send = async (type: string | undefined) => {
      const { body, contentType } = multipart([
        { name: "file", filename: "a.bin", value: new Uint8Array([1]), type },
        { name: "user", value: "u1" },
      ]);
      return rawRequest(dify, "POST", "/v1/audio-to-text", { body, headers: { "content-type": contentType } });
    };
    for (const ok of ["audio/mp3", "audio/m4a", "audio/wav", "audio/amr", "audio/mpga"]) expect((await send(ok)).json).toEqual({ text: "transcript of a.bin" });
    for (const refused of ["audio/mpeg", "audio/x-wav", "audio/mp4", "audio/webm", "audio/ogg", undefined]) {
      expect((await send(refused)).json).toEqual({ code: "unsupported_audio_type", message: "Audio type not allowed.", status: 415 });
    }
    const { body, contentType } = multipart([{ name: "user", value: "u1" }]);
    expect((await rawRequest(dify, "POST", "/v1/audio-to-text", { body, headers: { "content-type": contentType } })).json).toMatchObject({
      code: "bad_request_key_error",
      status: 400,
    });
  });

  it("file upload: 201 with Dify's fields, and its refusals", async () => {
    const upload = async (parts: Parameters<typeof multipart>[0]) => {
      const { body, contentType } = multipart(parts);
      return rawRequest(dify, "POST", "/v1/files/upload", { body, headers: { "content-type": contentType } });
    };
    const ok = await upload([{ name: "file", filename: "Résumé.PDF", value: "%PDF-1.7", type: "application/pdf" }]);
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ name: "Résumé.PDF", size: 8, extension: "pdf", mime_type: "application/pdf", preview_url: null, conversation_id: null });
    expect(dify.uploads[0]?.user).toBe("DEFAULT-USER");
    expect((await upload([{ name: "user", value: "u1" }])).json).toMatchObject({ code: "no_file_uploaded", status: 400 });
    expect((await upload([{ name: "file", filename: "", value: "x", type: "text/plain" }])).json).toMatchObject({ code: "filename_not_exists_error" });
    expect((await upload([{ name: "file", filename: "a.txt", value: "x" }])).json).toMatchObject({ code: "unsupported_file_type", status: 415 });
    expect((await upload([{ name: "file", filename: "a:b.txt", value: "x", type: "text/plain" }])).json).toMatchObject({
      code: "invalid_param",
      message: "Filename contains invalid characters",
    });
    const two = [
      { name: "file", filename: "a.txt", value: "x", type: "text/plain" },
      { name: "other", filename: "b.txt", value: "y", type: "text/plain" },
    ];
    expect((await upload(two)).json).toMatchObject({ code: "too_many_files" });
  });

  it("messages: conversation_id required, empty gives an empty page, foreign gives 404, pages go back with first_id", async () => {
    for (let i = 1; i <= 3; i++) await post("/v1/chat-messages", chatBody({ query: `q${i}`, conversation_id: dify.streams[0]?.conversationId }));
    const conversationId = dify.streams[0]?.conversationId as string;
    expect((await rawRequest(dify, "GET", "/v1/messages?user=u1")).status).toBe(400);
    expect((await rawRequest(dify, "GET", "/v1/messages?user=u1&conversation_id=")).json).toEqual({ limit: 20, has_more: false, data: [] });
    expect((await rawRequest(dify, "GET", `/v1/messages?user=u2&conversation_id=${conversationId}`)).status).toBe(404);
    const newest = (await rawRequest(dify, "GET", `/v1/messages?user=u1&conversation_id=${conversationId}&limit=2`)).json as {
      has_more: boolean;
      data: Array<{ id: string; query: string }>;
    };
    expect([newest.has_more, newest.data.map((m) => m.query)]).toEqual([true, ["q2", "q3"]]);
    const older = (await rawRequest(dify, "GET", `/v1/messages?user=u1&conversation_id=${conversationId}&limit=2&first_id=${newest.data[0]?.id}`)).json as {
      has_more: boolean;
      data: Array<{ query: string }>;
    };
    expect([older.has_more, older.data.map((m) => m.query)]).toEqual([false, ["q1"]]);
  });

  it("DELETE conversation: 204 even for another user (1.12.1), 404 when ownership is checked (newer)", async () => {
    await post("/v1/chat-messages", chatBody());
    const id = dify.streams[0]?.conversationId as string;
    dify.configure({ deleteChecksOwnership: true });
    expect((await rawRequest(dify, "DELETE", `/v1/conversations/${id}`, { json: { user: "u2" } })).status).toBe(404);
    dify.configure({ deleteChecksOwnership: false });
    expect((await rawRequest(dify, "DELETE", `/v1/conversations/${id}`, { json: { user: "u2" } })).status).toBe(204);
    expect((await post("/v1/chat-messages", chatBody({ conversation_id: id }))).status).toBe(404);
  });

  it("stop: always success, needs a user", async () => {
    expect((await post("/v1/chat-messages/whatever/stop", { user: "u1" })).text).toBe('{"result": "success"}\n');
    expect((await post("/v1/chat-messages/whatever/stop", {})).status).toBe(400);
    expect(dify.stopRequests.map((s) => s.stoppedStream)).toEqual([false]);
  });
});
