import { describe, expect, it } from "vitest";
import type { RigAccess } from "../chat-platform.contract.js";
import { type ContractSubject, isAbsent } from "../contract-rig.js";

const STOP = { actionId: "stop:contract", label: "Stop", style: "danger" as const };

export function messageCases(subject: ContractSubject, rig: RigAccess): void {
  const { hardLimitChars, beyond } = subject.overLimit;

  describe("messages", () => {
    it("posts Markdown into the conversation's thread and returns a ref to it", async () => {
      const r = rig();
      const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "Hello **there**, see `code`." });
      expect(ref).toMatchObject({ platform: r.platform.id, workspaceId: r.question.replyTarget.workspaceId });
      expect((await r.seen(ref))?.text).toBe("Hello **there**, see `code`.");
      expect((await r.botMessages()).map((m) => m.messageId)).toEqual([ref.messageId]);
    });

    it("an edit replaces the whole message: its text and its buttons", async () => {
      const r = rig();
      const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "Thinking…", buttons: [STOP] });
      expect((await r.seen(ref))?.buttons).toEqual([{ label: "Stop", actionId: "stop:contract" }]);
      await r.platform.editMessage(ref, { markdown: "The answer." });
      expect(await r.seen(ref)).toMatchObject({ text: "The answer.", buttons: [] });
      expect(await r.botMessages()).toHaveLength(1);
    });

    it("editing to the same content twice is harmless", async () => {
      const r = rig();
      const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "Thinking…" });
      const content = { markdown: "Same answer", buttons: [STOP] };
      await r.platform.editMessage(ref, content);
      await r.platform.editMessage(ref, content);
      expect(await r.seen(ref)).toMatchObject({ text: "Same answer", buttons: [{ label: "Stop", actionId: "stop:contract" }] });
      expect(await r.botMessages()).toHaveLength(1);
    });

    it(`a message of exactly maxMessageLength, and one at the hard limit (${hardLimitChars} characters), arrives whole`, async () => {
      const r = rig();
      const max = r.platform.capabilities.maxMessageLength;
      expect(hardLimitChars).toBeGreaterThanOrEqual(max);
      const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "a".repeat(max) });
      expect((await r.seen(ref))?.text).toBe("a".repeat(max));
      await r.platform.editMessage(ref, { markdown: "b".repeat(hardLimitChars) });
      expect((await r.seen(ref))?.text).toBe("b".repeat(hardLimitChars));
    });

    if (beyond === "rejects") {
      it(`beyond ${hardLimitChars} characters: refused with PlatformValidationError (too_long) before any call, the message unchanged`, async () => {
        const r = rig();
        const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "short" });
        const calls = r.serverCalls();
        const tooLong = { markdown: "c".repeat(hardLimitChars + 1) };
        await expect(r.platform.editMessage(ref, tooLong)).rejects.toMatchObject({ code: "PLATFORM_VALIDATION", reason: "too_long" });
        await expect(r.platform.postMessage(r.question.replyTarget, tooLong)).rejects.toMatchObject({ code: "PLATFORM_VALIDATION", reason: "too_long" });
        expect(r.serverCalls()).toBe(calls);
        expect((await r.botMessages()).map((m) => m.text)).toEqual(["short"]);
      });
    } else {
      it(`beyond ${hardLimitChars} characters: cut to ${hardLimitChars} with a visible "…" and a logged warning, never silently`, async () => {
        const r = rig();
        const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "short" });
        const warnings = r.warnings().length;
        await r.platform.editMessage(ref, { markdown: "c".repeat(hardLimitChars + 500) });
        const text = (await r.seen(ref))?.text ?? "";
        expect(text).toHaveLength(hardLimitChars);
        expect(text).toBe(`${"c".repeat(hardLimitChars - 1)}…`);
        expect(r.warnings().length).toBeGreaterThan(warnings);
      });
    }

    if (isAbsent(subject.deleteMessage)) {
      const reason = subject.deleteMessage.absent;
      it(`deleting messages: not offered (${reason})`, () => {
        expect(rig().platform.deleteMessage).toBeUndefined();
      });
    } else {
      it("deletes a message; deleting it again is harmless", async () => {
        const r = rig();
        const keep = await r.platform.postMessage(r.question.replyTarget, { markdown: "stays" });
        const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "obsolete placeholder" });
        await r.platform.deleteMessage?.(ref);
        await r.platform.deleteMessage?.(ref);
        expect(await r.seen(ref)).toBeUndefined();
        expect((await r.botMessages()).map((m) => m.messageId)).toEqual([keep.messageId]);
      });
    }
  });
}
