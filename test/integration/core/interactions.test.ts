import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { InboundEvent } from "../../../src/contracts/chat-platform.js";
import type { InboundMessage, MessageRef } from "../../../src/contracts/messages.js";
import { createGate, scripts, steps } from "../../fakes/dify/index.js";
import { type BridgeHarness, eventually, startBridge } from "../../support/bridge-harness.js";

const VOICE_OGG = new Uint8Array(readFileSync(new URL("../../fixtures/audio/voice.ogg", import.meta.url)));
const VOICE_M4A = new Uint8Array(readFileSync(new URL("../../fixtures/audio/voice-clip.m4a", import.meta.url)));

function msgOf(e: InboundEvent): InboundMessage {
  if (e.kind !== "message") throw new Error("not a message");
  return e.message;
}

async function ask(h: BridgeHarness, text: string, extra: Parameters<BridgeHarness["platform"]["message"]>[0] = { text }) {
  const e = h.platform.message({ ...extra, text });
  await h.platform.emit(e);
  return msgOf(e);
}

const isFinal = (h: BridgeHarness, m: InboundMessage) => {
  const msgs = h.platform.visibleMessages({ channelId: m.replyTarget.channelId, threadId: m.replyTarget.threadId });
  return msgs.length > 0 && msgs.every((x) => !x.content.markdown.startsWith("_") && !(x.content.buttons ?? []).some((b) => b.label === "Stop"))
    ? msgs
    : undefined;
};

describe("feedback, stop, suggested questions, voice notes and files", () => {
  let h: BridgeHarness;
  afterEach(async () => h?.close());

  it("reactions follow the most recent human 👍/👎 still present; revoke only when none is left; bots never count", async () => {
    h = await startBridge();
    const q = await ask(h, "Rate me");
    const [reply] = await eventually(() => isFinal(h, q));
    const ref = reply?.ref as MessageRef;
    const difyMessageId = h.dify.streams[0]?.messageId;
    const ratings = () => h.dify.feedbackRequests.map((f) => f.rating);

    await h.platform.emit(h.platform.reaction(ref, { userId: "U1", reaction: "thumbs_up", added: true, at: 1_000 }));
    await eventually(() => ratings().length === 1);
    await h.platform.emit(h.platform.reaction(ref, { userId: "U9", reaction: "thumbs_down", added: true, isBot: true, at: 1_500 }));
    await h.platform.emit(h.platform.reaction(ref, { userId: "U2", reaction: "thumbs_down", added: true, at: 2_000 }));
    await eventually(() => ratings().length === 2);
    await h.platform.emit(h.platform.reaction(ref, { userId: "U2", reaction: "thumbs_down", added: false, at: 3_000 }));
    await eventually(() => ratings().length === 3);
    await h.platform.emit(h.platform.reaction(ref, { userId: "U1", reaction: "thumbs_up", added: false, at: 4_000 }));
    await eventually(() => ratings().length === 4);
    await new Promise((r) => setTimeout(r, 200));
    expect(ratings()).toEqual(["like", "dislike", "like", null]);
    expect(h.dify.feedbackRequests.every((f) => f.messageId === difyMessageId && f.user === q.conversationKey && f.status === 200)).toBe(true);
  });

  it("a 👍 while the answer is still streaming counts as feedback", async () => {
    h = await startBridge();
    const gate = createGate();
    h.dify.onChat(() => [steps.message("Half of the answer"), steps.waitFor(gate), ...scripts.answer(", and the rest.")]);
    const q = await ask(h, "Go on");
    const streaming = await eventually(() =>
      h.platform.visibleMessages({ channelId: "C1", threadId: q.messageId }).find((m) => m.content.markdown.startsWith("Half of the answer")),
    );
    await h.platform.emit(h.platform.reaction(streaming.ref, { userId: "U1", reaction: "thumbs_up", added: true }));
    gate.open();
    await eventually(() => isFinal(h, q));
    await eventually(() => h.dify.feedbackRequests.length === 1);
    expect(h.dify.feedbackRequests[0]).toMatchObject({ rating: "like", messageId: h.dify.streams[0]?.messageId });
  });

  it("old suggestion buttons are removed even when the channel's edit budget is spent at that moment", async () => {
    h = await startBridge({ platform: { budgets: (p) => ({ edit: [{ key: `${p.channelId}:edit`, limit: 4, windowMs: 1_500 }] }) } });
    h.dify.configure({ parameters: { ...h.dify.settings.parameters, suggested_questions_after_answer: { enabled: true } } });
    h.dify.setSuggestedQuestions(["More?"]);
    h.dify.onChat((turn) => scripts.answer(`A: ${turn.query}`, { chunkChars: 2, delayMs: 10 }));
    const q = await ask(h, "First");
    const withButtons = await eventually(() => isFinal(h, q)?.find((m) => (m.content.buttons ?? []).length === 1));
    await h.platform.emit(
      h.platform.click(
        withButtons.ref,
        withButtons.content.buttons?.[0]?.actionId ?? "",
        { userId: "U1", displayName: "Ana" },
        q.conversationKey,
        q.replyTarget,
      ),
    );
    await eventually(() => h.dify.streams[1]?.endReason === "completed");
    await eventually(() => (h.platform.messages.get(withButtons.ref.messageId)?.content.buttons ?? []).length === 0, 15_000);
    expect(h.platform.budgetViolations).toBe(0);
  });

  it("a reaction on the second message of a long answer rates the same Dify message", async () => {
    h = await startBridge({ platform: { maxMessageLength: 300 } });
    const answer = "Long paragraph. ".repeat(60).trim();
    h.dify.onChat(() => scripts.answer(answer, { chunkChars: 40 }));
    const q = await ask(h, "Long please");
    // Final once every part is there: the parts, rejoined, are the whole answer.
    const parts = await eventually(() => {
      const p = isFinal(h, q);
      return p && p.map((m) => m.content.markdown).join(" ") === answer ? p : undefined;
    });
    expect(parts.length).toBeGreaterThan(2);
    await h.platform.emit(h.platform.reaction(parts[1]?.ref as MessageRef, { userId: "U1", reaction: "thumbs_down", added: true }));
    await eventually(() => h.dify.feedbackRequests.length === 1);
    expect(h.dify.feedbackRequests[0]).toMatchObject({ messageId: h.dify.streams[0]?.messageId, rating: "dislike" });
  });

  it("Stop by the asker stops the Dify task with the same user and marks the reply stopped; others only get a notice", async () => {
    h = await startBridge();
    const gate = createGate();
    h.dify.onChat(() => [steps.message("Working on a long answer"), steps.waitFor(gate), ...scripts.answer(" that never finishes")]);
    const q = await ask(h, "Go");
    const placeholder = await eventually(() =>
      h.platform.visibleMessages({ channelId: "C1", threadId: q.messageId }).find((m) => m.content.markdown === "Working on a long answer"),
    );
    const stop = placeholder.content.buttons?.find((b) => b.label === "Stop");
    expect(stop).toBeDefined();

    await h.platform.emit(h.platform.click(placeholder.ref, stop?.actionId ?? "", { userId: "U2", displayName: "Bo" }, q.conversationKey, q.replyTarget));
    await eventually(() => h.platform.ephemerals.length === 1);
    expect(h.platform.ephemerals[0]).toMatchObject({ userId: "U2", text: "Only Ana can stop this answer." });
    expect(h.dify.stopRequests).toHaveLength(0);

    await h.platform.emit(h.platform.click(placeholder.ref, stop?.actionId ?? "", { userId: "U1", displayName: "Ana" }, q.conversationKey, q.replyTarget));
    const [reply] = await eventually(() => isFinal(h, q));
    expect(reply?.content.markdown).toBe("Working on a long answer\n\n⏹ Stopped");
    expect(h.dify.stopRequests.length).toBeGreaterThanOrEqual(1);
    expect(h.dify.stopRequests[0]).toMatchObject({ taskId: h.dify.streams[0]?.taskId, user: q.conversationKey, stoppedStream: true });
    expect(await h.dify.streams[0]?.done).toBe("stopped");
    gate.open();
  });

  it("suggested questions appear as buttons; a click asks in the same conversation, says who asked, and retires the old buttons", async () => {
    h = await startBridge();
    h.dify.configure({ parameters: { ...h.dify.settings.parameters, suggested_questions_after_answer: { enabled: true } } });
    h.dify.setSuggestedQuestions(["Tell me more", "Next steps?"]);
    h.dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const q = await ask(h, "First");
    const withButtons = await eventually(() => isFinal(h, q)?.find((m) => (m.content.buttons ?? []).length === 2));
    expect(withButtons.content.buttons?.map((b) => b.label)).toEqual(["Tell me more", "Next steps?"]);

    await h.platform.emit(
      h.platform.click(
        withButtons.ref,
        withButtons.content.buttons?.[1]?.actionId ?? "",
        { userId: "U7", displayName: "Bo" },
        q.conversationKey,
        q.replyTarget,
      ),
    );
    await eventually(() => h.dify.streams[1]?.endReason === "completed");
    expect(h.dify.chatRequests[1]?.chat).toMatchObject({ query: "Next steps?", conversation_id: h.dify.streams[0]?.conversationId, user: q.conversationKey });
    await eventually(() => h.platform.visibleText({ channelId: "C1", threadId: q.messageId }).includes("**Bo** asked: Next steps?\n\nA: Next steps?"));
    // The first answer's buttons are gone; its text is unchanged.
    await eventually(() => (h.platform.messages.get(withButtons.ref.messageId)?.content.buttons ?? []).length === 0);
    expect(h.platform.messages.get(withButtons.ref.messageId)?.content.markdown).toBe("A: First");
  });

  it("a voice note (Ogg/Opus) is converted to WAV, transcribed, used as the question and shown", async () => {
    h = await startBridge({ platform: { id: "discord" } });
    h.dify.onAudioToText((audio) => (audio.contentType === "audio/wav" ? "what time is lunch" : ""));
    h.dify.onChat((turn) => scripts.answer(`Lunch is at noon (${turn.query}).`));
    h.platform.attachments.set("cdn://voice", VOICE_OGG);
    const q = await ask(h, "", {
      text: "",
      attachments: [{ id: "a1", name: "voice-message.ogg", mimeType: "audio/ogg", sizeBytes: VOICE_OGG.byteLength, isVoiceNote: true, ref: "cdn://voice" }],
    });
    const [reply] = await eventually(() => isFinal(h, q));
    expect(reply?.content.markdown).toBe("> 🎙️ what time is lunch\n\nLunch is at noon (what time is lunch).");
    const [audio] = h.dify.audioRequests;
    expect(audio?.contentType).toBe("audio/wav");
    expect(audio?.filename).toBe("voice-message.wav");
    expect(audio?.user).toBe(q.conversationKey);
    expect(
      Buffer.from(audio?.bytes ?? [])
        .subarray(0, 4)
        .toString(),
    ).toBe("RIFF");
    expect(h.dify.chatRequests[0]?.chat.query).toBe("what time is lunch");
  });

  it("an M4A audio clip is passed through as audio/m4a", async () => {
    h = await startBridge();
    h.dify.onAudioToText(() => "clip transcript");
    h.platform.attachments.set("files://clip", VOICE_M4A);
    const q = await ask(h, "", {
      text: "",
      attachments: [{ id: "a1", name: "audio_message.mp4", mimeType: "video/mp4", sizeBytes: VOICE_M4A.byteLength, isVoiceNote: true, ref: "files://clip" }],
    });
    await eventually(() => isFinal(h, q));
    expect(h.dify.audioRequests[0]).toMatchObject({ contentType: "audio/m4a", filename: "audio_message.m4a" });
    expect(Buffer.from(h.dify.audioRequests[0]?.bytes ?? []).equals(Buffer.from(VOICE_M4A))).toBe(true);
  });

  it("files go to Dify with the conversation's user; a type the app does not take is named in a note and the question still answered", async () => {
    h = await startBridge();
    h.dify.onChat((turn) => scripts.answer(`Got ${turn.files.length} file(s).`));
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const pdf = new TextEncoder().encode("%PDF-1.4 fake");
    h.platform.attachments.set("f://png", png);
    h.platform.attachments.set("f://pdf", pdf);
    h.platform.attachments.set("f://zip", new Uint8Array([1, 2]));
    const q = await ask(h, "Look at these", {
      text: "Look at these",
      attachments: [
        { id: "1", name: "chart.png", mimeType: "image/png", sizeBytes: png.byteLength, isVoiceNote: false, ref: "f://png" },
        { id: "2", name: "spec.pdf", mimeType: "application/pdf", sizeBytes: pdf.byteLength, isVoiceNote: false, ref: "f://pdf" },
        { id: "3", name: "archive.zip", mimeType: "application/zip", sizeBytes: 2, isVoiceNote: false, ref: "f://zip" },
      ],
    });
    const [reply] = await eventually(() => isFinal(h, q));
    expect(reply?.content.markdown).toBe("⚠️ Not sent to the assistant: archive.zip (this assistant does not accept this type of file).\n\nGot 2 file(s).");
    expect(h.dify.uploads.map((u) => [u.name, u.mimeType, u.user]).sort()).toEqual([
      ["chart.png", "image/png", q.conversationKey],
      ["spec.pdf", "application/pdf", q.conversationKey],
    ]);
    const files = h.dify.chatRequests[0]?.chat.files as Array<{ type: string; transfer_method: string }>;
    expect(files.map((f) => f.type).sort()).toEqual(["document", "image"]);
    expect(files.every((f) => f.transfer_method === "local_file")).toBe(true);
  });

  it("a user who floods the bot gets one polite notice per window and no extra Dify calls", async () => {
    h = await startBridge({ env: { USER_RATE_LIMIT: "2/60s" } });
    for (let i = 0; i < 5; i++) await ask(h, `Q${i}`, { text: `Q${i}`, channelId: `C${i}` });
    await eventually(() => h.dify.streams.filter((s) => s.endReason).length === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.dify.chatRequests).toHaveLength(2);
    expect(h.platform.ephemerals).toHaveLength(1);
    expect(h.platform.ephemerals[0]?.text).toMatch(/^You're sending messages faster than I can answer\. Please try again in \d+ s\.$/);
  });
});
