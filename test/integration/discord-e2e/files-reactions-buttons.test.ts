import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import { createGate, scripts, steps } from "../../fakes/dify/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { buttonsOf, dmKey, finalBotMessages, settle, startDiscordE2E, threadKey } from "./support.js";

const VOICE_OGG = new Uint8Array(readFileSync(new URL("../../fixtures/audio/voice.ogg", import.meta.url)));
/** A real (tiny) PNG header and some bytes: enough for a file that must arrive byte for byte. */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 120 }, (_, i) => i)]);

describe.concurrent("discord end to end: files, reactions and buttons", () => {
  it("a voice message is fetched from the CDN, converted to WAV, transcribed by Dify, asked and shown with the answer", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    dify.onAudioToText(() => "what time is lunch today");
    dify.onChat((turn) => scripts.answer(`Lunch is at noon (${turn.query}).`));
    const dm = fake.users.dmChannel(fake.ids.alice);
    const voice = fake.users.sendVoiceMessage({ channelId: dm, audio: VOICE_OGG, durationSecs: 3.56 });

    const [reply] = await eventually(() => finalBotMessages(fake, dm), 15_000);
    expect(reply!.content).toBe("> 🎙️ what time is lunch today\n\nLunch is at noon (what time is lunch today).");

    // Downloaded once from the CDN, without the bot token.
    const attachmentPath = new URL(voice.attachments[0]!.url).pathname;
    expect(fake.cdn.requests.filter((r) => r.path === attachmentPath).map((r) => r.hadAuthorization)).toEqual([false]);

    // Dify got a WAV, not the Ogg: RIFF/WAVE header, audio/wav, a .wav name, the conversation's user.
    expect(dify.audioRequests).toHaveLength(1);
    const audio = dify.audioRequests[0]!;
    const bytes = Buffer.from(audio.bytes ?? []);
    expect(audio.status).toBe(200);
    expect(audio.contentType).toBe("audio/wav");
    expect(audio.filename).toBe("voice-message.wav");
    expect(bytes.subarray(0, 4).toString("latin1")).toBe("RIFF");
    expect(bytes.subarray(8, 12).toString("latin1")).toBe("WAVE");
    expect(bytes.subarray(0, 4).toString("latin1")).not.toBe("OggS");
    expect(bytes.readUInt32LE(4)).toBe(bytes.byteLength - 8);
    expect(audio.user).toBe(dmKey(dm));

    // The transcript is the question.
    expect(dify.chatRequests.map((r) => [r.chat.query, r.chat.user])).toEqual([["what time is lunch today", dmKey(dm)]]);
  });

  it("an image attachment is uploaded to Dify for the conversation's user and referenced in the chat request", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    let filesSeen: readonly { type: string; uploadFileId: string | null }[] = [];
    dify.onChat((turn) => {
      filesSeen = turn.files;
      return scripts.answer(`I see ${turn.files.length} image.`);
    });
    const q = fake.users.sendMessage({
      channelId: fake.ids.general,
      content: `<@${fake.ids.bot}> what does this diagram show?`,
      attachments: [{ filename: "diagram.png", contentType: "image/png", data: PNG }],
    });

    const [reply] = await eventually(() => finalBotMessages(fake, q.id), 15_000);
    expect(reply!.content).toBe("I see 1 image.");

    const user = threadKey(fake, fake.ids.general, q.id);
    expect(dify.uploads).toHaveLength(1);
    const upload = dify.uploads[0]!;
    expect([upload.name, upload.mimeType, upload.user]).toEqual(["diagram.png", "image/png", user]);
    expect(Buffer.from(upload.bytes).equals(Buffer.from(PNG))).toBe(true);

    const chat = dify.chatRequests[0]?.chat;
    expect(chat?.query).toBe("what does this diagram show?");
    expect(chat?.user).toBe(user);
    expect(chat?.files).toEqual([{ type: "image", transfer_method: "local_file", upload_file_id: upload.id }]);
    expect(filesSeen.map((f) => [f.type, f.uploadFileId])).toEqual([["image", upload.id]]);
  });

  it("👍 on an answer (any skin tone) becomes Dify feedback 'like' for that answer; removing it revokes it", async ({ expect, onTestFinished }) => {
    const { fake, dify, harness } = await startDiscordE2E({ onTestFinished });
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> rate this answer` });
    const [answer] = await eventually(() => finalBotMessages(fake, q.id), 15_000);
    // The core links the Discord message to the Dify message only after the final edit has landed (then logs
    // "answer delivered"); a reaction before that is not feedback yet, so react the way people do: after it.
    await eventually(() => harness.logs.some((l) => l.msg === "answer delivered"), 10_000);
    const react = (userId: string, emoji: string, add: boolean) => fake.users.react({ channelId: q.id, messageId: answer!.id, userId, emoji, add });
    const ratings = () => dify.feedbackRequests.map((f) => f.rating);

    react(fake.ids.alice, "👍", true);
    await eventually(() => ratings().length === 1, 10_000);
    react(fake.ids.alice, "👍", false);
    await eventually(() => ratings().length === 2, 10_000);
    react(fake.ids.bob, "👍🏽", true);
    await eventually(() => ratings().length === 3, 10_000);
    react(fake.ids.bob, "👍🏽", false);
    await eventually(() => ratings().length === 4, 10_000);
    await settle();

    expect(ratings()).toEqual(["like", null, "like", null]);
    const difyMessageId = dify.streams[0]?.messageId;
    for (const f of dify.feedbackRequests) {
      expect(f).toMatchObject({ messageId: difyMessageId, user: threadKey(fake, fake.ids.general, q.id), status: 200 });
    }
  });

  it("Stop clicked by the asker is acknowledged at once, stops the Dify task for the same user and marks the reply stopped; anyone else only gets a private notice", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    const gate = createGate();
    dify.onChat(() => [steps.message("Let me think about this"), steps.waitFor(gate), ...scripts.answer(" and this part never arrives")]);
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> a long question` });
    const streaming = await eventually(() => fake.botMessages(q.id).find((m) => m.content === "Let me think about this"), 15_000);
    const stop = buttonsOf(streaming).find((b) => b.label === "Stop");
    expect(stop).toBeDefined();

    // Someone else's click is acknowledged too, stops nothing, and gets a notice only they can see.
    const byBob = fake.users.clickButton({ channelId: q.id, messageId: streaming.id, customId: stop!.customId, userId: fake.ids.bob });
    const notice = await eventually(() => fake.interactionFollowUps.find((f) => f.interactionId === byBob.interactionId), 10_000);
    expect(notice).toMatchObject({ userId: fake.ids.bob, channelId: q.id, content: "Only Alice can stop this answer.", ephemeral: true });
    await settle();
    expect(dify.stopRequests).toHaveLength(0);
    expect(dify.streams[0]?.endReason).toBeUndefined();
    expect(fake.botMessages(q.id)).toHaveLength(1);

    const byAlice = fake.users.clickButton({ channelId: q.id, messageId: streaming.id, customId: stop!.customId, userId: fake.ids.alice });
    const [reply] = await eventually(() => finalBotMessages(fake, q.id), 15_000);

    expect(fake.interactionCallbacks.map((c) => [c.interactionId, c.type])).toEqual([
      [byBob.interactionId, 6],
      [byAlice.interactionId, 6],
    ]);
    expect(fake.interactionFollowUps).toHaveLength(1);
    expect(reply!.content).toBe("Let me think about this\n\n⏹ Stopped");
    expect(reply!.components).toEqual([]);
    expect(dify.stopRequests.length).toBeGreaterThanOrEqual(1);
    for (const s of dify.stopRequests) expect(s).toMatchObject({ taskId: dify.streams[0]?.taskId, user: threadKey(fake, fake.ids.general, q.id) });
    expect(dify.stopRequests.some((s) => s.stoppedStream)).toBe(true);
    expect(await dify.streams[0]?.done).toBe("stopped");
    gate.open();
  });

  it("a suggested question clicked by someone else becomes a new turn in the same thread and conversation, saying who asked", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    dify.configure({ parameters: { ...dify.settings.parameters, suggested_questions_after_answer: { enabled: true } } });
    dify.setSuggestedQuestions(["Tell me more", "What are the next steps?"]);
    dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> plan the migration` });
    const first = await eventually(() => finalBotMessages(fake, q.id)?.find((m) => buttonsOf(m).length === 2), 15_000);
    expect(first.content).toBe("A: plan the migration");
    const suggestions = buttonsOf(first);
    expect(suggestions.map((b) => b.label)).toEqual(["Tell me more", "What are the next steps?"]);

    const click = fake.users.clickButton({ channelId: q.id, messageId: first.id, customId: suggestions[1]!.customId, userId: fake.ids.bob });
    const replies = await eventually(() => finalBotMessages(fake, q.id, 2), 20_000);

    expect(fake.interactionCallbacks.map((c) => [c.interactionId, c.type])).toEqual([[click.interactionId, 6]]);
    expect(replies[1]!.content).toBe("**Bob** asked: What are the next steps?\n\nA: What are the next steps?");
    expect(dify.chatRequests).toHaveLength(2);
    expect(dify.chatRequests[1]?.chat).toMatchObject({
      query: "What are the next steps?",
      conversation_id: dify.streams[0]?.conversationId,
      user: threadKey(fake, fake.ids.general, q.id),
    });
    // Same thread, no second thread; the first answer's text is unchanged.
    expect(fake.requestsTo("POST", /\/threads$/)).toHaveLength(1);
    expect(fake.botMessages(q.id)[0]?.content).toBe("A: plan the migration");
  });
});
