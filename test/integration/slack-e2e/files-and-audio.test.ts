import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { slackTs } from "../../fakes/slack/index.js";
import { ANA, SlackE2E } from "./slack-e2e-harness.js";

const VOICE_M4A = readFileSync(new URL("../../fixtures/audio/voice-clip.m4a", import.meta.url));
// A real 1×1 PNG and a minimal PDF.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj <</Type/Pages/Kids[]/Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n",
);

/** Where a secret could travel in a request to Dify: every header value and the raw body. */
function carries(request: { headers: Record<string, unknown>; body: Uint8Array }, secret: string): boolean {
  const headers = Object.values(request.headers).flat().map(String).join("\n");
  return headers.includes(secret) || Buffer.from(request.body).includes(secret);
}

describe("Slack end to end over HTTP: files and audio clips", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("PNG and PDF attachments are fetched from Slack's file host with the bot token and uploaded to Dify with the right types and the conversation's user; the token goes nowhere else", async () => {
    e = await SlackE2E.start();
    e.dify.onChat((turn) => scripts.answer(`I got ${turn.files.map((f) => `${f.type}:${f.filename}`).join(", ")}.`));
    const png = e.slack.hostFile({ name: "chart.png", mimetype: "image/png", data: PNG });
    const pdf = e.slack.hostFile({ name: "spec.pdf", mimetype: "application/pdf", data: PDF });

    const q = await e.mention({ text: "What do these show?", files: [png, pdf] });
    const [reply] = await e.waitForAnswer(q, /^I got /);
    expect(reply?.markdown).toBe("I got image:chart.png, document:spec.pdf.");

    // Dify got the bytes, typed, uploaded as the thread's user, and referenced as local files in the question.
    const uploads = [...e.dify.uploads].sort((a, b) => a.name.localeCompare(b.name));
    expect(uploads.map((u) => [u.name, u.mimeType, u.user])).toEqual([
      ["chart.png", "image/png", q.conversationKey],
      ["spec.pdf", "application/pdf", q.conversationKey],
    ]);
    expect(Buffer.from(uploads[0]?.bytes ?? []).equals(PNG)).toBe(true);
    expect(Buffer.from(uploads[1]?.bytes ?? []).equals(PDF)).toBe(true);
    const chat = e.dify.chatRequests[0]?.chat;
    expect(chat).toMatchObject({ query: "What do these show?", user: q.conversationKey });
    const files = chat?.files as Array<{ type: string; transfer_method: string; upload_file_id: string }>;
    expect(files.map((f) => f.type).sort()).toEqual(["document", "image"]);
    expect(files.every((f) => f.transfer_method === "local_file")).toBe(true);
    expect(files.map((f) => f.upload_file_id).sort()).toEqual(uploads.map((u) => u.id).sort());

    // The file host saw the bot token on every request (once per file: the two copies of the mention are one job).
    const token = e.slack.team.botToken;
    expect(e.slack.fileRequests.map((r) => r.path).sort()).toEqual(
      [new URL(String(png.url_private_download)).pathname, new URL(String(pdf.url_private_download)).pathname].sort(),
    );
    expect(e.slack.fileRequests.every((r) => r.authorization === `Bearer ${token}`)).toBe(true);
    // Dify never saw it: not in a header, not in a body, on any request.
    expect(e.dify.requests.length).toBeGreaterThan(0);
    expect(e.dify.requests.filter((r) => carries(r, token))).toEqual([]);
    expect(e.dify.requests.filter((r) => carries(r, "xoxb-"))).toEqual([]);
  });

  it("a file whose download redirects to a private address is not fetched from there: that server sees nothing, the asker gets a short note, the question is answered", async () => {
    e = await SlackE2E.start();
    // An internal service (cloud metadata, an admin port) on this machine, reached by name.
    let connections = 0;
    const inside = createServer((_req, res) => res.end("internal secret"));
    inside.on("connection", () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => inside.listen(0, "127.0.0.1", resolve));
    try {
      const port = (inside.address() as AddressInfo).port;
      e.dify.onChat((turn) => scripts.answer(`Answered "${turn.query}" with ${turn.files.length} file(s).`));
      const trap = e.slack.hostFile({ name: "report.pdf", mimetype: "application/pdf", data: PDF, redirectTo: `http://localhost:${port}/latest/meta-data` });

      const q = await e.mention({ text: "Summarise this", files: [trap] });
      const [reply] = await e.waitForAnswer(q, /Answered/);
      expect(reply?.markdown).toBe(
        '⚠️ Not sent to the assistant: report.pdf (it is not hosted by the chat platform).\n\nAnswered "Summarise this" with 0 file(s).',
      );
      expect(connections).toBe(0);
      // Slack's file host was asked (with the token); the redirect was not followed, and nothing reached Dify.
      expect(e.slack.fileRequests.map((r) => r.authorization)).toEqual([`Bearer ${e.slack.team.botToken}`]);
      expect(e.dify.uploads).toEqual([]);
    } finally {
      inside.closeAllConnections();
      await new Promise<void>((resolve) => inside.close(() => resolve()));
    }
  });

  // Slack labels its MP4/AAC clips audio/mp4 (.m4a), and sometimes video/mp4 (.mp4).
  it.each([
    { name: "audio_message.m4a", mimetype: "audio/mp4" },
    { name: "audio_message.mp4", mimetype: "video/mp4" },
  ])(
    "an audio clip (slack_audio, $mimetype) is transcribed by Dify as audio/m4a with the conversation's user; the transcript is the question and is shown",
    async (label) => {
      e = await SlackE2E.start();
      e.dify.onAudioToText((audio) => (audio.contentType === "audio/m4a" ? "When is the next team offsite?" : "wrong audio type"));
      e.dify.onChat((turn) => scripts.answer(`The offsite is in June. (You asked: ${turn.query})`));
      const clip = e.slack.hostFile({ ...label, data: VOICE_M4A, subtype: "slack_audio", mediaDisplayType: "audio" });

      // A voice clip sent in a direct message: a file_share message with no text.
      const channel = "D0ANA";
      const ts = slackTs();
      e.slack.messages.add({ channel, ts, user: ANA.id, text: "", via: "user" });
      await e.send(
        e.slack.payloads.envelope(e.slack.payloads.message({ channel, channel_type: "im", user: ANA.id, ts, subtype: "file_share", text: "", files: [clip] })),
      );
      const q = e.where(channel, ts);

      const [reply] = await e.waitForAnswer(q, /offsite is in June/);
      expect(reply?.markdown).toBe("> 🎙️ When is the next team offsite?\n\nThe offsite is in June. (You asked: When is the next team offsite?)");
      expect(reply?.threadTs).toBe(ts);

      const [audio] = e.dify.audioRequests;
      expect(e.dify.audioRequests).toHaveLength(1);
      expect(audio).toMatchObject({ contentType: "audio/m4a", user: q.conversationKey, status: 200 });
      expect(audio?.filename).toBe("audio_message.m4a");
      expect(Buffer.from(audio?.bytes ?? []).equals(VOICE_M4A)).toBe(true);
      expect(e.dify.chatRequests[0]?.chat).toMatchObject({ query: "When is the next team offsite?", user: q.conversationKey });
      // The clip itself is not sent again as a chat file.
      expect(e.dify.uploads).toHaveLength(0);
      expect(e.slack.fileRequests.every((r) => r.authorization === `Bearer ${e.slack.team.botToken}`)).toBe(true);
      expect(e.dify.requests.filter((r) => carries(r, e.slack.team.botToken))).toEqual([]);
    },
  );
});
