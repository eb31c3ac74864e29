import { describe, expect, it } from "vitest";
import type { RigAccess } from "../chat-platform.contract.js";
import { expectSameMessage } from "./same-message.js";

export function inboundCases(rig: RigAccess): void {
  describe("inbound events", () => {
    it("delivers a message in the thread with the conversation's key; a reply to its target lands in that thread", async () => {
      const r = rig();
      const msg = await r.userSays(r.other, "and one more thing");
      expect(msg).toMatchObject({ platform: r.platform.id, text: "and one more thing", author: { userId: r.other.userId } });
      expect(msg.conversationKey).toBe(r.question.conversationKey);
      expect(msg.dedupeKey).not.toContain(":");
      expect(msg.dedupeKey).not.toBe(r.question.dedupeKey);
      const reply = await r.platform.postMessage(msg.replyTarget, { markdown: "Noted." });
      expect((await r.botMessages()).map((m) => m.messageId)).toEqual([reply.messageId]);
    });

    it("maps 👍 (any skin tone) and 👎 on its reply to the normalized Reaction, other emoji to null, removals too", async () => {
      const r = rig();
      const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "An answer" });
      const up = await r.userReacts(r.asker, ref, "👍🏽", true);
      expect(up).toMatchObject({ platform: r.platform.id, userId: r.asker.userId, isBot: false, added: true, reaction: "thumbs_up" });
      expectSameMessage(up.messageRef, ref);
      expect((await r.userReacts(r.asker, ref, "👎", true)).reaction).toBe("thumbs_down");
      expect((await r.userReacts(r.other, ref, "🎉", true)).reaction).toBeNull();
      const removed = await r.userReacts(r.asker, ref, "👍🏽", false);
      expect(removed).toMatchObject({ added: false, reaction: "thumbs_up", userId: r.asker.userId });
    });

    it("marks a reaction by the bot itself as a bot's, so it never counts as feedback", async () => {
      const r = rig();
      const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "An answer" });
      expect(await r.userReacts("bot", ref, "👍🏽", true)).toMatchObject({ isBot: true, reaction: "thumbs_up" });
    });

    it("a button's actionId round-trips through a click into an action of the same conversation", async () => {
      const r = rig();
      const ref = await r.platform.postMessage(r.question.replyTarget, {
        markdown: "An answer",
        buttons: [
          { actionId: "suggest:contract-0", label: "Tell me more" },
          { actionId: "stop:contract-1", label: "Stop", style: "danger" },
        ],
      });
      const click = await r.userClicks(r.other, ref, "Tell me more");
      expect(click).toMatchObject({ platform: r.platform.id, actionId: "suggest:contract-0", user: { userId: r.other.userId } });
      expect(click.conversationKey).toBe(r.question.conversationKey);
      expectSameMessage(click.messageRef, ref);
      expect(click.dedupeKey).not.toContain(":");
      const again = await r.userClicks(r.other, ref, "Tell me more");
      expect(again.dedupeKey).not.toBe(click.dedupeKey);
      const followUp = await r.platform.postMessage(click.replyTarget, { markdown: "More…" });
      expect((await r.botMessages()).map((m) => m.messageId)).toEqual([ref.messageId, followUp.messageId]);
    });

    it("does not deliver the bot's own messages back", async () => {
      const r = rig();
      const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "I am the bot" });
      await r.echoOwnMessage(ref);
      // Events arrive in order: had the echo been delivered, it would be the next one.
      expect((await r.userSays(r.asker, "after the bot")).text).toBe("after the bot");
    });

    it("after stop(), intake ends and isReady() is false, outbound calls keep working; stop() is idempotent", async () => {
      const r = rig();
      expect(r.platform.isReady()).toBe(true);
      await r.platform.stop();
      await r.platform.stop();
      expect(r.platform.isReady()).toBe(false);
      const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "finalized during shutdown" });
      await r.platform.editMessage(ref, { markdown: "finalized during shutdown (interrupted)" });
      expect((await r.seen(ref))?.text).toBe("finalized during shutdown (interrupted)");
    });
  });
}
