import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProducedFileFetch } from "../../../src/app/produced-files.js";
import { DifyBadRequestError, DifyConnectionError, DifyNotFoundError, DifyPayloadTooLargeError, DifyUnsupportedMediaError } from "../../../src/dify/errors.js";
import { defaultAppParameters, FakeDifyServer, legacyAppParameters, scripts, steps } from "../../fakes/dify/index.js";
import { chat, clientFor, drain } from "./client-helpers.js";

let dify: FakeDifyServer;
beforeEach(async () => {
  dify = await FakeDifyServer.start();
});
afterEach(async () => {
  await dify.close();
});

const USER = "discord:G1:C1:T1";

/** One finished turn; returns its ids. */
async function askOnce(query = "q", user = USER): Promise<{ messageId: string; conversationId: string }> {
  const { events } = await drain(clientFor(dify).streamChat(chat(query, { user })));
  return { messageId: events[0]?.messageId as string, conversationId: events[0]?.conversationId as string };
}

describe("DifyClient.sendFeedback", () => {
  it("likes, dislikes, and revokes a rating, as the message's own user", async () => {
    const client = clientFor(dify);
    const { messageId } = await askOnce();
    await client.sendFeedback(messageId, { rating: "like", user: USER });
    expect(dify.store.messages.get(messageId)?.feedback).toEqual({ rating: "like", content: null });
    await client.sendFeedback(messageId, { rating: "dislike", user: USER, content: "wrong dates" });
    expect(dify.store.messages.get(messageId)?.feedback).toEqual({ rating: "dislike", content: "wrong dates" });
    await client.sendFeedback(messageId, { rating: null, user: USER });
    expect(dify.store.messages.get(messageId)?.feedback).toBeNull();
    expect(dify.feedbackRequests.map((f) => [f.rating, f.user, f.status])).toEqual([
      ["like", USER, 200],
      ["dislike", USER, 200],
      [null, USER, 200],
    ]);
    expect(dify.feedbackRequests[1]?.request.json).toEqual({ rating: "dislike", user: USER, content: "wrong dates" });
    expect(dify.feedbackRequests[0]?.request.headers["content-type"]).toBe("application/json");
  });

  it("is refused for another user (404) and for revoking a rating that does not exist (400)", async () => {
    const client = clientFor(dify);
    const { messageId } = await askOnce();
    await expect(client.sendFeedback(messageId, { rating: "like", user: "someone-else" })).rejects.toBeInstanceOf(DifyNotFoundError);
    await expect(client.sendFeedback(messageId, { rating: null, user: USER })).rejects.toMatchObject({
      status: 400,
      difyCode: "invalid_param",
      difyMessage: "rating cannot be None when feedback not exists",
    });
    expect(dify.feedbackRequests.map((f) => f.status)).toEqual([404, 400]);
  });
});

describe("DifyClient.uploadFile", () => {
  it("sends one multipart file part with its name and type, plus the user", async () => {
    const data = new Uint8Array(2048).map((_, i) => i % 256);
    const uploaded = await clientFor(dify).uploadFile({ data, name: "Q3 report: draft?.pdf", mimeType: "application/pdf" }, USER);
    const [request] = dify.requests;
    expect(request?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(request?.form?.fields).toEqual({ user: USER });
    expect(request?.form?.files).toEqual([{ field: "file", filename: "Q3 report_ draft_.pdf", contentType: "application/pdf", bytes: data }]);
    expect(uploaded).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "Q3 report_ draft_.pdf",
      size: 2048,
      extension: "pdf",
      mimeType: "application/pdf",
    });
    expect(dify.uploads).toEqual([expect.objectContaining({ id: uploaded.id, user: USER, mimeType: "application/pdf", bytes: data })]);
  });

  it("labels bytes without a type as application/octet-stream", async () => {
    await clientFor(dify).uploadFile({ data: new Uint8Array([1]), name: "blob", mimeType: "" }, USER);
    expect(dify.requests[0]?.form?.files[0]?.contentType).toBe("application/octet-stream");
  });
});

describe("DifyClient.audioToText", () => {
  const cases: ReadonlyArray<[string, string, string, string]> = [
    ["audio/mpeg", "memo.mp3", "audio/mp3", "memo.mp3"],
    ["video/mp4", "clip.mp4", "audio/m4a", "clip.m4a"],
    ["audio/x-wav", "take 2.WAV", "audio/wav", "take 2.wav"],
  ];
  it.each(cases)("rewrites %s to a type Dify takes", async (mimeType, name, sentType, sentName) => {
    const data = new Uint8Array([1, 2, 3, 4]);
    dify.onAudioToText((audio) => `heard ${audio.bytes.byteLength} bytes as ${audio.contentType}`);
    const text = await clientFor(dify).audioToText({ data, name, mimeType }, USER);
    expect(text).toBe(`heard 4 bytes as ${sentType}`);
    expect(dify.audioRequests).toEqual([expect.objectContaining({ filename: sentName, contentType: sentType, bytes: data, user: USER, status: 200 })]);
  });

  it("refuses Ogg before sending anything (it must be converted first)", async () => {
    await expect(clientFor(dify).audioToText({ data: new Uint8Array([1]), name: "v.ogg", mimeType: "audio/ogg" }, USER)).rejects.toBeInstanceOf(
      DifyUnsupportedMediaError,
    );
    expect(dify.requests).toHaveLength(0);
  });

  it("refuses more than 30 MB before sending anything", async () => {
    const big = new Uint8Array(30 * 1024 * 1024 + 1);
    await expect(clientFor(dify).audioToText({ data: big, name: "long.mp3", mimeType: "audio/mpeg" }, USER)).rejects.toBeInstanceOf(DifyPayloadTooLargeError);
    expect(dify.requests).toHaveLength(0);
  });

  it("reports speech-to-text switched off in either Dify form as a bad request", async () => {
    const parameters = { ...defaultAppParameters(), speech_to_text: { enabled: false } };
    for (const sttDisabledStyle of ["invalid_param", "speech_to_text_disabled"] as const) {
      dify.configure({ parameters, sttDisabledStyle });
      await expect(clientFor(dify).audioToText({ data: new Uint8Array([1]), name: "a.wav", mimeType: "audio/wav" }, USER)).rejects.toMatchObject({
        constructor: DifyBadRequestError,
        difyCode: sttDisabledStyle,
      });
    }
  });
});

describe("DifyClient read endpoints", () => {
  it("gets suggested questions with the user in the query", async () => {
    dify.configure({ parameters: { ...defaultAppParameters(), suggested_questions_after_answer: { enabled: true } } });
    dify.setSuggestedQuestions((m) => [`More about ${m.query}?`, "  ", "Next steps?"]);
    const { messageId } = await askOnce("holidays");
    expect(await clientFor(dify).getSuggestedQuestions(messageId, USER)).toEqual(["More about holidays?", "Next steps?"]);
    expect(dify.requests.at(-1)?.query).toEqual({ user: USER });
  });

  it("gets a bad request for suggested questions when the feature is off", async () => {
    const { messageId } = await askOnce();
    await expect(clientFor(dify).getSuggestedQuestions(messageId, USER)).rejects.toMatchObject({
      status: 400,
      difyMessage: "Suggested Questions Is Disabled.",
    });
  });

  it("reads parameters in the new and the legacy shape", async () => {
    expect((await clientFor(dify).getParameters()).fileUpload.allowedTypes).toEqual(["image", "document"]);
    dify.configure({ parameters: legacyAppParameters() });
    expect((await clientFor(dify).getParameters()).fileUpload).toMatchObject({ enabled: true, allowedTypes: ["image"], numberLimit: 2 });
  });

  it("reports parameters it cannot understand as a typed error", async () => {
    dify.configure({ parameters: { suggested_questions: "not a list", file_upload: [] } });
    await expect(clientFor(dify).getParameters()).rejects.toBeInstanceOf(DifyConnectionError);
  });

  it("reads the app mode from /info", async () => {
    for (const mode of ["chat", "agent-chat", "advanced-chat"] as const) {
      dify.configure({ mode });
      expect(await clientFor(dify).getInfo()).toEqual({ name: "Team Assistant", mode, description: "Answers questions about the team handbook." });
    }
  });

  it("reaches GET /v1/ without a valid key", async () => {
    expect(await clientFor(dify, { apiKey: "app-wrong" }).getRoot()).toEqual({ serverVersion: "1.12.1" });
  });

  it("lists the newest messages of a conversation, oldest first, with failed ones marked", async () => {
    const client = clientFor(dify);
    const { conversationId } = await askOnce("one");
    for (const q of ["two", "three"]) await drain(client.streamChat(chat(q, { user: USER, conversationId })));
    dify.onChat(() => scripts.inBandError({ afterText: "partial", message: "model overloaded" }));
    await drain(client.streamChat(chat("four", { user: USER, conversationId })));
    const page = await client.getMessages(conversationId, USER, { limit: 3 });
    expect(page.map((m) => [m.query, m.answer, m.status, m.error])).toEqual([
      ["two", "echo: two", "normal", null],
      ["three", "echo: three", "normal", null],
      ["four", "partial", "error", "model overloaded"],
    ]);
    expect(dify.requests.at(-1)?.query).toEqual({ conversation_id: conversationId, user: USER, limit: "3" });
  });
});

describe("DifyClient.downloadFile", () => {
  /** A client fetching produced files the way the bridge does: from Dify's origins only. */
  const filesClient = (filesUrl?: string) => clientFor(dify, { fetchFile: createProducedFileFetch({ apiUrl: dify.baseUrl, filesUrl }) });

  it("downloads a tool file from a relative /files/... URL, against the origin", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const url = dify.addToolFile({ bytes: png, mimeType: "image/png", extension: "png" });
    dify.onChat(() => [steps.messageFile({ url }), ...scripts.answer("Here you go.")]);
    const { events } = await drain(clientFor(dify).streamChat(chat("draw")));
    const file = events.find((e) => e.event === "file");
    expect(file?.event === "file" && file.file.url).toBe(url);
    const downloaded = await filesClient().downloadFile(url, { maxBytes: 1024 });
    expect(downloaded).toEqual({ data: png, mimeType: "image/png", name: url.split("?")[0]?.split("/").pop() });
    expect(dify.requests.at(-1)?.path).toBe(url.split("?")[0]);
  });

  it("refuses files over the cap, whether the size is declared or only seen while reading", async () => {
    const bytes = new Uint8Array(300 * 1024);
    const declared = dify.serveFile("/files/tools/declared.bin", { bytes, mimeType: "application/octet-stream" });
    const chunked = dify.serveFile("/files/tools/chunked.bin", { bytes, mimeType: "application/octet-stream", chunked: true });
    for (const url of [declared, chunked]) {
      await expect(filesClient().downloadFile(url, { maxBytes: 100 * 1024 })).rejects.toBeInstanceOf(DifyPayloadTooLargeError);
    }
    expect(dify.requests.filter((r) => r.path.startsWith("/files/")).map((r) => r.headers.authorization)).toEqual([undefined, undefined]);
  });

  it("reads the type the file was served with", async () => {
    const url = dify.serveFile("/files/tools/a.txt", { bytes: "hello", mimeType: "text/plain; charset=utf-8" });
    const downloaded = await filesClient().downloadFile(url, { maxBytes: 100 });
    expect(new TextDecoder().decode(downloaded.data)).toBe("hello");
    expect(downloaded.mimeType).toBe("text/plain");
  });

  it("reports a missing file as a connection error", async () => {
    await expect(filesClient().downloadFile("/files/tools/gone.png", { maxBytes: 1024 })).rejects.toBeInstanceOf(DifyConnectionError);
  });

  it("fetches nothing from another origin, even on Dify's own host, and follows no redirect away from Dify; DIFY_FILES_URL's origin is fetched", async () => {
    const inside = await listener("listener secret");
    const elsewhere = await listener("files host");
    try {
      dify.serveFile("/files/tools/moved.png", { bytes: "x", mimeType: "image/png", redirectTo: `${inside.origin}/secret.txt` });
      for (const url of [`${inside.origin}/secret.txt`, `http://localhost:${inside.port}/secret.txt`, "/files/tools/moved.png"]) {
        await expect(filesClient().downloadFile(url, { maxBytes: 1024 })).rejects.toBeInstanceOf(DifyConnectionError);
      }
      expect(inside.connections()).toBe(0);
      const got = await filesClient(elsewhere.origin).downloadFile(`${elsewhere.origin}/files/x.txt`, { maxBytes: 1024 });
      expect(new TextDecoder().decode(got.data)).toBe("files host");
    } finally {
      await Promise.all([inside.close(), elsewhere.close()]);
    }
  });

  it("without a file fetcher, refuses instead of fetching", async () => {
    const url = dify.serveFile("/files/tools/b.txt", { bytes: "hello", mimeType: "text/plain" });
    await expect(clientFor(dify).downloadFile(url, { maxBytes: 100 })).rejects.toBeInstanceOf(DifyConnectionError);
    expect(dify.requests.filter((r) => r.path.startsWith("/files/"))).toEqual([]);
  });
});

/** A plain HTTP server on 127.0.0.1 answering `body` to everything, counting the connections it saw. */
async function listener(body: string) {
  let connections = 0;
  const server = createServer((_req, res) => res.end(body));
  server.on("connection", () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
