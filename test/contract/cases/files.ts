import { describe, expect, it } from "vitest";
import type { RigAccess } from "../chat-platform.contract.js";

const CHART = new Uint8Array(Array.from({ length: 300 }, (_, i) => (i * 7) % 256));
const CSV = new TextEncoder().encode("name,count\nälpha,1\nbeta,2\n");
const NOTES = new TextEncoder().encode("Notes for the meeting: ünïcödé, emoji 🎉, and more.\n".repeat(60));

export function fileCases(rig: RigAccess): void {
  describe("files", () => {
    it("attaches files in the conversation's thread: every name and byte arrives", async () => {
      const r = rig();
      const refs = await r.platform.attachFiles(r.question.replyTarget, [
        { name: "chart.png", mimeType: "image/png", data: CHART },
        { name: "data.csv", mimeType: "text/csv", data: CSV },
      ]);
      expect(refs.length).toBeGreaterThan(0);
      const shown = await Promise.all(refs.map((ref) => r.seen(ref)));
      const files = shown.flatMap((m) => m?.files ?? []);
      expect(files.map((f) => f.name)).toEqual(["chart.png", "data.csv"]);
      expect([...(files[0]?.data ?? [])]).toEqual([...CHART]);
      expect([...(files[1]?.data ?? [])]).toEqual([...CSV]);
      const inThread = (await r.botMessages()).map((m) => m.messageId);
      expect(refs.every((ref) => inThread.includes(ref.messageId))).toBe(true);
    });

    it("refuses a file over maxUploadBytes with PlatformValidationError (too_large) before calling the platform", async () => {
      const r = rig();
      const calls = r.serverCalls();
      const big = { name: "huge.bin", mimeType: "application/octet-stream", data: new Uint8Array(r.platform.capabilities.maxUploadBytes + 1) };
      await expect(r.platform.attachFiles(r.question.replyTarget, [big])).rejects.toMatchObject({ code: "PLATFORM_VALIDATION", reason: "too_large" });
      expect(r.serverCalls()).toBe(calls);
      expect(await r.botMessages()).toEqual([]);
    });

    it("downloads the attachment of an inbound message: its exact bytes", async () => {
      const r = rig();
      const msg = await r.userSays(r.asker, "see the attached notes", { name: "notes.txt", mimeType: "text/plain", data: NOTES });
      expect(msg.attachments).toHaveLength(1);
      const [att] = msg.attachments;
      expect(att).toMatchObject({ name: "notes.txt", sizeBytes: NOTES.byteLength, isVoiceNote: false });
      const bytes = await r.platform.downloadAttachment(att!, { signal: new AbortController().signal, maxBytes: 1_000_000 });
      expect(Buffer.from(bytes).equals(Buffer.from(NOTES))).toBe(true);
    });

    it("refuses a download over maxBytes with PlatformValidationError (too_large)", async () => {
      const r = rig();
      const msg = await r.userSays(r.asker, "a big one", { name: "notes.txt", mimeType: "text/plain", data: NOTES });
      const [att] = msg.attachments;
      await expect(r.platform.downloadAttachment(att!, { signal: new AbortController().signal, maxBytes: NOTES.byteLength - 1 })).rejects.toMatchObject({
        code: "PLATFORM_VALIDATION",
        reason: "too_large",
      });
    });
  });
}
