import { describe, expect, it } from "vitest";
import { PlatformError } from "../../../src/contracts/errors.js";
import type { RigAccess } from "../chat-platform.contract.js";
import { type ContractSubject, isAbsent } from "../contract-rig.js";

const NOTICE = "Only Ana can stop this answer.";

export function optionalCases(subject: ContractSubject, rig: RigAccess): void {
  describe("optional capabilities", () => {
    privateNoticeCases(subject, rig);
    streamingCases(subject, rig);
    historyCases(subject, rig);
    typingCases(subject, rig);
  });
}

function privateNoticeCases(subject: ContractSubject, rig: RigAccess): void {
  const mode = subject.privateNotices;
  if (isAbsent(mode)) {
    it(`private notices: not offered (${mode.absent}); the core posts them as normal messages`, () => {
      expect(rig().platform.postEphemeral).toBeUndefined();
    });
    return;
  }
  it("a private notice answering the person's click reaches only them", async () => {
    const r = rig();
    const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "Answering…", buttons: [{ actionId: "stop:contract", label: "Stop" }] });
    const click = await r.userClicks(r.other, ref, "Stop");
    await r.platform.postEphemeral?.(click.replyTarget, r.other.userId, NOTICE);
    expect(r.privateNotices()).toEqual([{ userId: r.other.userId, text: NOTICE }]);
    expect((await r.botMessages()).map((m) => m.text)).toEqual(["Answering…"]);
  });
  if (mode === "always") {
    it("a private notice with no click to answer still reaches only that person", async () => {
      const r = rig();
      await r.platform.postEphemeral?.(r.question.replyTarget, r.other.userId, NOTICE);
      expect(r.privateNotices()).toEqual([{ userId: r.other.userId, text: NOTICE }]);
      expect(await r.botMessages()).toEqual([]);
    });
  } else {
    it("a private notice with no click to answer is posted in the thread for everyone (private messages only answer an interaction)", async () => {
      const r = rig();
      await r.platform.postEphemeral?.(r.question.replyTarget, r.other.userId, NOTICE);
      expect(r.privateNotices()).toEqual([]);
      expect((await r.botMessages()).map((m) => m.text)).toEqual([NOTICE]);
    });
  }
}

function streamingCases(subject: ContractSubject, rig: RigAccess): void {
  const declared = subject.nativeStreaming;
  if (isAbsent(declared)) {
    it(`native streaming: not offered (${declared.absent})`, () => {
      expect(rig().platform.streaming).toBeUndefined();
    });
    return;
  }
  it("native streaming: start, append and stop show exactly the final text and buttons; the stream cannot be edited meanwhile", async () => {
    const r = rig();
    const streaming = r.platform.streaming;
    expect(streaming).toBeDefined();
    if (!streaming) return;
    const placeholder = await r.platform.postMessage(r.question.replyTarget, {
      markdown: "Thinking…",
      buttons: [{ actionId: "stop:contract", label: "Stop" }],
    });
    const ref = await streaming.start(r.question.replyTarget, "Hel", { placeholder, askerUserId: r.asker.userId });
    await streaming.append(ref, "lo, **wor");
    expect((await r.seen(ref))?.text).toBe("Hello, **wor");
    await expect(r.platform.editMessage(ref, { markdown: "an edit mid-stream" })).rejects.toBeInstanceOf(PlatformError);
    const final = { markdown: "Hello, **world**!", buttons: [{ actionId: "suggest:contract-0", label: "Tell me more" }] };
    await streaming.stop(ref, { markdownDelta: "ld**!", content: final }, { placeholder });
    expect(await r.seen(ref)).toMatchObject({ text: "Hello, **world**!", buttons: [{ label: "Tell me more", actionId: "suggest:contract-0" }] });
    // The answer shows once; the placeholder may have been removed on stop.
    expect((await r.botMessages()).filter((m) => m.text.includes("Hello"))).toHaveLength(1);
  });
}

function historyCases(subject: ContractSubject, rig: RigAccess): void {
  const declared = subject.threadHistory;
  if (isAbsent(declared)) {
    it(`thread history: not offered (${declared.absent})`, () => {
      expect(rig().platform.fetchThreadHistory).toBeUndefined();
    });
    return;
  }
  it("thread history: the messages before the given one, oldest first, the most recent `limit`, the bot's marked", async () => {
    const r = rig();
    await r.userSays(r.other, "first note");
    await r.platform.postMessage(r.question.replyTarget, { markdown: "An **answer**" });
    await r.userSays(r.asker, "second note");
    const current = await r.userSays(r.asker, "what now?");
    await r.userSays(r.other, "written later");
    const history = (await r.platform.fetchThreadHistory?.(r.question.replyTarget, { beforeMessageId: current.messageId, limit: 10 })) ?? [];
    expect(history.slice(-3)).toEqual([
      { author: { userId: r.other.userId, displayName: expect.any(String) }, isBot: false, text: "first note" },
      { author: expect.objectContaining({ userId: expect.any(String) }), isBot: true, text: "An **answer**" },
      { author: { userId: r.asker.userId, displayName: expect.any(String) }, isBot: false, text: "second note" },
    ]);
    expect(history.map((m) => m.text)).not.toContain("what now?");
    expect(history.map((m) => m.text)).not.toContain("written later");
    const lastTwo = await r.platform.fetchThreadHistory?.(r.question.replyTarget, { beforeMessageId: current.messageId, limit: 2 });
    expect(lastTwo?.map((m) => m.text)).toEqual(["An **answer**", "second note"]);
  });
}

function typingCases(subject: ContractSubject, rig: RigAccess): void {
  const declared = subject.typing;
  if (isAbsent(declared)) {
    it(`typing indicator: not offered (${declared.absent})`, () => {
      expect(rig().platform.sendTyping).toBeUndefined();
    });
    return;
  }
  it("typing indicator: reaches the platform, in the conversation's place", async () => {
    const r = rig();
    await r.platform.sendTyping?.(r.question.replyTarget);
    expect(r.typingSignals()).toBe(1);
  });
}
