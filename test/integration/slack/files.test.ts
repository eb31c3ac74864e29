import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SlackPlatform } from "../../../adapters/slack/slack-platform.js";
import type { InboundAttachment, ReplyTarget } from "../../../src/contracts/messages.js";
import { FakeSlackApi } from "../../fakes/slack/index.js";
import { createCapturingLogger, slackConfigFor, startWorkerPlatform } from "./harness.js";

/** A plain server standing for "some other host" a Slack file URL may redirect to. */
async function startOtherHost(handler: (path: string, res: import("node:http").ServerResponse) => void) {
  const seen: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
  const server: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? "", headers: req.headers });
    handler(req.url ?? "", res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    seen,
    // "localhost" is a different host from the fake's 127.0.0.1:PORT, so it is not trusted with the token.
    url: (path: string) => `http://localhost:${port}${path}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const attachment = (file: Record<string, unknown>): InboundAttachment => ({
  id: String(file.id),
  name: String(file.name),
  mimeType: String(file.mimetype),
  sizeBytes: Number(file.size),
  isVoiceNote: false,
  ref: String(file.url_private_download),
});

const opts = (maxBytes = 1_000_000) => ({ signal: new AbortController().signal, maxBytes });

describe("Slack attachment downloads", () => {
  let fake: FakeSlackApi;
  let h: Awaited<ReturnType<typeof startWorkerPlatform>>;

  beforeEach(async () => {
    fake = await FakeSlackApi.start();
    h = await startWorkerPlatform(fake);
  });
  afterEach(async () => {
    await h.platform.stop();
    await fake.close();
  });

  it("downloads a private file with the bot token", async () => {
    const file = fake.hostFile({ name: "notes.txt", mimetype: "text/plain", data: "hello file" });
    const bytes = await h.platform.downloadAttachment(attachment(file), opts());
    expect(Buffer.from(bytes).toString()).toBe("hello file");
    expect(fake.fileRequests).toEqual([{ path: new URL(String(file.url_private_download)).pathname, authorization: `Bearer ${fake.team.botToken}` }]);
  });

  it("follows a redirect to another host without the token", async () => {
    const other = await startOtherHost((_path, res) => {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(Buffer.from([137, 80, 78, 71]));
    });
    try {
      const file = fake.hostFile({ name: "pic.png", mimetype: "image/png", data: "unused", redirectTo: other.url("/cdn/pic.png") });
      const bytes = await h.platform.downloadAttachment(attachment(file), opts());
      expect([...bytes]).toEqual([137, 80, 78, 71]);
      expect(fake.fileRequests[0]?.authorization).toBe(`Bearer ${fake.team.botToken}`);
      expect(other.seen).toHaveLength(1);
      expect(other.seen[0]?.headers.authorization).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it("reports Slack's HTML sign-in page (token without files:read) as not a file, naming the scope", async () => {
    await h.platform.stop();
    await fake.close();
    fake = await FakeSlackApi.start({ team: { scopes: ["chat:write", "app_mentions:read"] } });
    h = await startWorkerPlatform(fake);
    const file = fake.hostFile({ name: "report.pdf", mimetype: "application/pdf", data: "%PDF" });
    const err = await h.platform.downloadAttachment(attachment(file), opts()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "PLATFORM_VALIDATION", reason: "not_a_file" });
    expect((err as Error).message).toContain("files:read");
  });

  it("caps the size: by Content-Length, and while streaming when there is none", async () => {
    const big = fake.hostFile({ name: "big.bin", mimetype: "application/octet-stream", data: Buffer.alloc(2_048) });
    await expect(h.platform.downloadAttachment(attachment(big), opts(1_024))).rejects.toMatchObject({ reason: "too_large" });

    const chunked = await startOtherHost((_path, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      for (let i = 0; i < 8; i += 1) res.write(Buffer.alloc(512));
      res.end();
    });
    try {
      const file = fake.hostFile({ name: "stream.bin", mimetype: "application/octet-stream", data: "x", redirectTo: chunked.url("/stream") });
      await expect(h.platform.downloadAttachment(attachment(file), opts(1_024))).rejects.toMatchObject({ reason: "too_large" });
      expect(chunked.seen).toHaveLength(1);
    } finally {
      await chunked.close();
    }
  });

  it("refuses URLs that are not on a Slack file host, before any request", async () => {
    const before = fake.fileRequests.length;
    const att = { ...attachment(fake.hostFile({ name: "a.txt", mimetype: "text/plain", data: "a" })), ref: "https://evil.example.com/files-pri/x" };
    await expect(h.platform.downloadAttachment(att, opts())).rejects.toMatchObject({ reason: "blocked_host" });
    expect(fake.fileRequests.length).toBe(before);
  });

  it("gives up when the caller aborts", async () => {
    const file = fake.hostFile({ name: "a.txt", mimetype: "text/plain", data: "a" });
    const controller = new AbortController();
    const reason = new Error("job cancelled");
    controller.abort(reason);
    await expect(h.platform.downloadAttachment(attachment(file), { signal: controller.signal, maxBytes: 10 })).rejects.toBe(reason);
  });

  it("stops after 5 redirects", async () => {
    const loop = await startOtherHost((path, res) => {
      const n = Number(path.split("/").pop());
      res.writeHead(302, { location: `/hop/${n + 1}` });
      res.end();
    });
    try {
      const file = fake.hostFile({ name: "loop.txt", mimetype: "text/plain", data: "x", redirectTo: loop.url("/hop/1") });
      await expect(h.platform.downloadAttachment(attachment(file), opts())).rejects.toMatchObject({ reason: "invalid" });
      expect(loop.seen).toHaveLength(5);
    } finally {
      await loop.close();
    }
  });
});

describe("Slack attachment downloads in production mode", () => {
  it("refuses a redirect from the file host to a loopback address", async () => {
    const fake = await FakeSlackApi.start();
    const platform = new SlackPlatform(slackConfigFor(fake), { logger: createCapturingLogger() });
    const other = await startOtherHost((_path, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("internal secret");
    });
    try {
      await platform.start();
      const file = fake.hostFile({ name: "a.txt", mimetype: "text/plain", data: "x", redirectTo: other.url("/internal") });
      await expect(platform.downloadAttachment(attachment(file), opts())).rejects.toMatchObject({ reason: "blocked_host" });
      expect(other.seen).toEqual([]);
    } finally {
      await platform.stop();
      await other.close();
      await fake.close();
    }
  });
});

describe("Slack file uploads (files.uploadV2)", () => {
  let fake: FakeSlackApi;
  let h: Awaited<ReturnType<typeof startWorkerPlatform>>;
  let target: ReplyTarget;

  beforeEach(async () => {
    fake = await FakeSlackApi.start();
    h = await startWorkerPlatform(fake);
    const parent = fake.messages.add({ channel: "C1", user: "U1", text: "<@UBOT> draw", via: "user" }).ts;
    target = { platform: "slack", workspaceId: "T0FAKE", channelId: "C1", threadId: parent };
  });
  afterEach(async () => {
    await h.platform.stop();
    await fake.close();
  });

  it("uploads files into the thread and returns the message that shares them", async () => {
    const refs = await h.platform.attachFiles(target, [
      { name: "chart.png", mimeType: "image/png", data: new Uint8Array([1, 2, 3, 4]) },
      { name: "data.csv", mimeType: "text/csv", data: new TextEncoder().encode("a,b\n1,2\n") },
    ]);
    expect(fake.files.uploaded().map((f) => [f.name, f.data.length, f.mimetype])).toEqual([
      ["chart.png", 4, "image/png"],
      ["data.csv", 8, "text/csv"],
    ]);
    const shared = fake.messages.thread("C1", target.threadId as string).filter((m) => m.files.length > 0);
    expect(shared).toHaveLength(1);
    expect(shared[0]?.files.map((f) => f.name)).toEqual(["chart.png", "data.csv"]);
    expect(refs).toEqual([{ platform: "slack", workspaceId: "T0FAKE", channelId: "C1", messageId: shared[0]?.ts, threadId: target.threadId }]);
  });

  it("refuses a file over maxUploadBytes without calling Slack", async () => {
    const before = fake.calls.length;
    const tooBig = { name: "huge.bin", mimeType: "application/octet-stream", data: new Uint8Array(h.platform.capabilities.maxUploadBytes + 1) };
    await expect(h.platform.attachFiles(target, [tooBig])).rejects.toMatchObject({ code: "PLATFORM_VALIDATION", reason: "too_large" });
    expect(fake.calls.length).toBe(before);
  });
});
