import { createServer, type Server } from "node:http";
import type { AddressInfo, LookupFunction } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DiscordPlatform } from "../../../adapters/discord/discord-platform.js";
import { PlatformError, PlatformNotFoundError, PlatformValidationError } from "../../../src/contracts/errors.js";
import type { InboundAttachment } from "../../../src/contracts/messages.js";
import { FakeDiscord } from "../../fakes/discord/index.js";
import { createCapturingLogger, mentionTarget, platformFor, threadTarget } from "./helpers.js";

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

describe("discord files", () => {
  let fake: FakeDiscord;
  let platform: DiscordPlatform;

  beforeEach(async () => {
    fake = await FakeDiscord.start();
    platform = platformFor(fake, createCapturingLogger(), { DISCORD_MAX_UPLOAD_BYTES: "1000" });
    await platform.start();
  });

  afterEach(async () => {
    await platform.stop();
    await fake.close();
  });

  it("uploads files as multipart attachments into the conversation thread", async () => {
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: "<@1100000000000000001> chart please" });
    const refs = await platform.attachFiles(mentionTarget(fake, q.id), [
      { name: "chart.png", mimeType: "image/png", data: bytes(600, 2) },
      { name: "../../etc/data.csv", mimeType: "text/csv", data: bytes(300, 3) },
      { name: "notes.txt", mimeType: "text/plain", data: bytes(500, 4) },
    ]);
    // 600 + 300 fit one request under the 1,000-byte limit; the third needs another.
    expect(refs).toHaveLength(2);
    const upload = fake.requestsTo("POST", new RegExp(`^/channels/${q.id}/messages$`))[0]!;
    expect(upload.contentType).toMatch(/^multipart\/form-data/);
    expect(upload.files.map((f) => [f.field, f.filename, f.size])).toEqual([
      ["files[0]", "chart.png", 600],
      ["files[1]", "data.csv", 300],
    ]);
    expect(upload.json).toMatchObject({
      attachments: [
        { id: 0, filename: "chart.png" },
        { id: 1, filename: "data.csv" },
      ],
      allowed_mentions: { parse: [] },
    });
    const stored = fake.botMessages(q.id).flatMap((m) => m.attachments.map((a) => [a.filename, a.content_type, a.size]));
    expect(stored).toEqual([
      ["chart.png", "image/png", 600],
      ["data.csv", "text/csv", 300],
      ["notes.txt", "text/plain", 500],
    ]);
    expect(refs.map((r) => r.messageId)).toEqual(fake.botMessages(q.id).map((m) => m.id));
  });

  it("refuses a file over maxUploadBytes before sending anything", async () => {
    const err = await platform
      .attachFiles(threadTarget(fake, fake.ids.existingThread), [
        { name: "ok.txt", mimeType: "text/plain", data: bytes(10) },
        { name: "big.bin", mimeType: "application/octet-stream", data: bytes(1001) },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformValidationError);
    expect(err).toMatchObject({ reason: "too_large" });
    expect(fake.requests).toEqual([]);
  });
});

describe("discord attachment downloads", () => {
  let fake: FakeDiscord;
  let platform: DiscordPlatform;
  let elsewhere: Server;
  let elsewhereHits = 0;

  beforeEach(async () => {
    fake = await FakeDiscord.start();
    platform = platformFor(fake, createCapturingLogger());
    await platform.start();
    elsewhereHits = 0;
    elsewhere = createServer((_req, res) => {
      elsewhereHits++;
      res.end("secret");
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
  });

  afterEach(async () => {
    await platform.stop();
    await fake.close();
    elsewhere.closeAllConnections();
    await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
  });

  const attachmentOf = (url: string, sizeBytes: number, mimeType = "audio/ogg"): InboundAttachment => ({
    id: "1800000000000000001",
    name: "voice-message.ogg",
    mimeType,
    sizeBytes,
    isVoiceNote: true,
    ref: url,
  });
  const options = (maxBytes: number) => ({ signal: new AbortController().signal, maxBytes });

  it("downloads a voice message from the CDN without any Authorization header", async () => {
    const audio = bytes(2048, 9);
    const msg = fake.users.sendVoiceMessage({ channelId: fake.users.dmChannel(fake.ids.alice), audio });
    const data = await platform.downloadAttachment(attachmentOf(msg.attachments[0]!.url, audio.byteLength), options(1_000_000));
    expect(Buffer.from(data).equals(Buffer.from(audio))).toBe(true);
    expect(fake.cdn.requests).toEqual([expect.objectContaining({ hadAuthorization: false })]);
  });

  it("refuses hosts other than Discord's CDN and the configured API host", async () => {
    const port = (elsewhere.address() as AddressInfo).port;
    const err = await platform.downloadAttachment(attachmentOf(`http://127.0.0.1:${port}/x.ogg`, 10), options(1000)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "PLATFORM_VALIDATION", reason: "blocked_host" });
    // A redirect from a trusted host to an untrusted one is refused too.
    const hop = fake.cdn.redirectTo(`http://127.0.0.1:${port}/x.ogg`);
    await expect(platform.downloadAttachment(attachmentOf(hop, 10), options(1000))).rejects.toMatchObject({ reason: "blocked_host" });
    expect(elsewhereHits).toBe(0);
  });

  it("caps the size: by the declared size, by Content-Length, and while streaming", async () => {
    const big = bytes(5000);
    const declared = fake.users.sendMessage({
      channelId: fake.ids.general,
      attachments: [{ filename: "a.bin", contentType: "application/octet-stream", data: big }],
    });
    const url = declared.attachments[0]!.url;
    await expect(platform.downloadAttachment(attachmentOf(url, 5000), options(4096))).rejects.toMatchObject({ reason: "too_large" });
    expect(fake.cdn.requests).toHaveLength(0);
    // The platform under-reported the size: Content-Length catches it.
    await expect(platform.downloadAttachment(attachmentOf(url, 100), options(4096))).rejects.toMatchObject({ reason: "too_large" });
    // No Content-Length at all: counted while streaming.
    const chunked = fake.users.sendMessage({
      channelId: fake.ids.general,
      attachments: [{ filename: "b.bin", contentType: "application/octet-stream", data: big, omitLength: true }],
    });
    await expect(platform.downloadAttachment(attachmentOf(chunked.attachments[0]!.url, 100), options(4096))).rejects.toBeInstanceOf(PlatformValidationError);
    expect(fake.cdn.requests).toHaveLength(2);
  });

  it("stops when the caller aborts, with a PlatformError", async () => {
    const msg = fake.users.sendVoiceMessage({ channelId: fake.users.dmChannel(fake.ids.alice), audio: bytes(100) });
    const err = await platform
      .downloadAttachment(attachmentOf(msg.attachments[0]!.url, 100), { signal: AbortSignal.abort(), maxBytes: 1000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).code).toBe("PLATFORM_UNAVAILABLE");
  });

  it("reports an expired or missing file as not found", async () => {
    await expect(platform.downloadAttachment(attachmentOf(`${fake.baseUrl}/cdn/attachments/1/2/gone.ogg`, 10), options(1000))).rejects.toBeInstanceOf(
      PlatformNotFoundError,
    );
  });
});

describe("discord attachment downloads: the address check", () => {
  it("refuses a CDN host that resolves to a private address, at connect time", async () => {
    const fake = await FakeDiscord.start();
    // A DNS answer pointing Discord's CDN name at this machine, as a poisoned or rebinding resolver would.
    const asked: string[] = [];
    const lookup: LookupFunction = (hostname, _options, callback) => {
      asked.push(hostname);
      callback(null, [{ address: "127.0.0.1", family: 4 }]);
    };
    const platform = platformFor(fake, createCapturingLogger(), {}, { download: { lookup } });
    try {
      await platform.start();
      const url = "https://cdn.discordapp.com/attachments/1310000000000000001/1800000000000000009/voice-message.ogg?ex=1&is=2&hm=3";
      const err = await platform
        .downloadAttachment(
          { id: "1800000000000000009", name: "voice-message.ogg", mimeType: "audio/ogg", sizeBytes: 10, isVoiceNote: true, ref: url },
          {
            signal: new AbortController().signal,
            maxBytes: 1000,
          },
        )
        .catch((e: unknown) => e);
      // Refused by the lookup inside the connect call (not by a check made before it), so no socket was opened.
      expect(err).toBeInstanceOf(PlatformValidationError);
      expect(err).toMatchObject({ reason: "blocked_host" });
      expect(asked).toEqual(["cdn.discordapp.com"]);
      expect(fake.cdn.requests).toEqual([]);
    } finally {
      await platform.stop();
      await fake.close();
    }
  });
});
