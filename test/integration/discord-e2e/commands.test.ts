import { describe, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { dmKey, finalBotMessages, isFinal, startDiscordE2E, threadKey } from "./support.js";

const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

/** Real discord.js ↔ fake Discord: application commands registered at start and answered like mentions. */
describe.concurrent("discord end to end: application commands", () => {
  it("registers /ask, /new and the message command globally at start, within Discord's rules", async ({ expect, onTestFinished }) => {
    const { fake } = await startDiscordE2E({ onTestFinished });
    const global = await eventually(() => fake.commands.registered.get("global"), 30_000);
    expect(global.map((c) => [c.type, c.name])).toEqual([
      [1, "ask"],
      [1, "new"],
      [3, "Ask Dify Assistant about this"],
    ]);
    expect(fake.commands.registrations.every((r) => r.status === 200)).toBe(true);
  });

  it("DISCORD_COMMANDS=guild registers per server; off registers nothing", async ({ expect, onTestFinished }) => {
    const guild = await startDiscordE2E({ onTestFinished }, { discordEnv: { DISCORD_COMMANDS: "guild" } });
    await eventually(() => guild.fake.commands.registered.get(guild.fake.ids.guild));
    expect(guild.fake.commands.registered.has("global")).toBe(false);
    const off = await startDiscordE2E({ onTestFinished }, { discordEnv: { DISCORD_COMMANDS: "off" } });
    expect(off.fake.commands.registrations).toEqual([]);
  });

  it("/ask with a file: deferred at once, shows who asked, answered in a thread from that response; the file goes to Dify", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    await eventually(() => fake.commands.registered.get("global"), 30_000);
    dify.onChat((turn) => scripts.answer(`Got ${turn.files.length} file(s) about: ${turn.query}`, { chunkChars: 6, delayMs: 30 }));
    const { interactionId } = fake.users.runCommand({
      channelId: fake.ids.general,
      name: "ask",
      options: { question: "What is in this chart?" },
      file: { option: "file", filename: "chart.png", contentType: "image/png", data: PNG },
    });
    const callback = await eventually(() => fake.interactionCallbacks.find((c) => c.interactionId === interactionId));
    expect(callback.type).toBe(5);
    const response = await eventually(() => {
      const r = fake.commands.responses.get(interactionId);
      return r && r.message.content !== "" ? r : undefined;
    });
    expect(response.ephemeral).toBe(false);
    expect(response.message.content).toMatch(/asked: What is in this chart\?$/);
    const threadId = response.message.id;
    const [reply] = await eventually(() => finalBotMessages(fake, threadId), 30_000);
    expect(reply?.content).toBe("Got 1 file(s) about: What is in this chart?");
    expect(fake.world.channels.get(threadId)).toMatchObject({ type: 11, parent_id: fake.ids.general });
    expect(dify.chatRequests[0]?.chat).toMatchObject({
      query: "What is in this chart?",
      user: threadKey(fake, fake.ids.general, threadId),
      conversation_id: "",
    });
    expect(dify.uploads.map((u) => [u.name, u.mimeType])).toEqual([["chart.png", "image/png"]]);
    expect(Buffer.from(dify.uploads[0]?.bytes ?? []).equals(PNG)).toBe(true);
  });

  it("/ask ephemeral:true answers only the caller, streamed in the interaction response; nothing in the channel", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    await eventually(() => fake.commands.registered.get("global"), 30_000);
    const answer = "Only you can see this. ".repeat(8).trim();
    dify.onChat(() => scripts.answer(answer, { chunkChars: 8, delayMs: 60 }));
    const before = fake.botMessages(fake.ids.general).length;
    const { interactionId } = fake.users.runCommand({ channelId: fake.ids.general, name: "ask", options: { question: "Private?", ephemeral: true } });
    const response = await eventually(() => {
      const r = fake.commands.responses.get(interactionId);
      return r && r.message.content === answer && isFinal(r.message) ? r : undefined;
    }, 30_000);
    expect(response.ephemeral).toBe(true);
    const texts = response.message.edits.map((e) => e.content);
    expect(texts.some((t) => t.length > 0 && t.length < answer.length && answer.startsWith(t))).toBe(true);
    expect(fake.botMessages(fake.ids.general)).toHaveLength(before);
    expect(fake.requestsTo("POST", /\/threads$/)).toEqual([]);
    expect(dify.chatRequests[0]?.chat.query).toBe("Private?");
  });

  it("/new in a DM: the next DM message starts a new Dify conversation (no conversation_id)", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    await eventually(() => fake.commands.registered.get("global"), 30_000);
    dify.onChat((turn) => scripts.answer(`Answer to ${turn.query}`));
    const dm = fake.users.dmChannel(fake.ids.alice);
    fake.users.sendMessage({ channelId: dm, content: "first" });
    await eventually(() => (dify.chatRequests.length === 1 && finalBotMessages(fake, dm) ? true : undefined), 30_000);
    fake.users.sendMessage({ channelId: dm, content: "second" });
    await eventually(() => (dify.chatRequests.length === 2 ? true : undefined), 30_000);
    expect(dify.chatRequests[1]?.chat.conversation_id).not.toBe("");

    const { interactionId } = fake.users.runCommand({ channelId: dm, name: "new" });
    const note = await eventually(() => {
      const r = fake.commands.responses.get(interactionId);
      return r && /new conversation/i.test(r.message.content) && isFinal(r.message) ? r : undefined;
    }, 30_000);
    expect(note.ephemeral).toBe(true);
    await eventually(() => (finalBotMessages(fake, dm, 2)?.length === 2 ? true : undefined), 30_000);
    fake.users.sendMessage({ channelId: dm, content: "third" });
    await eventually(() => (dify.chatRequests.length === 3 ? true : undefined), 30_000);
    expect(dify.chatRequests[2]?.chat).toMatchObject({ query: "third", conversation_id: "", user: dmKey(dm) });
  });

  it("the message command asks about a message: its text and file go to Dify, answered in a thread from it", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    await eventually(() => fake.commands.registered.get("global"), 30_000);
    dify.onChat((turn) => scripts.answer(`Seen ${turn.files.length} file(s).`));
    const m = fake.users.sendMessage({
      channelId: fake.ids.general,
      authorId: fake.ids.bob,
      content: "Q3 numbers attached, thoughts?",
      attachments: [{ filename: "q3.png", contentType: "image/png", data: PNG }],
    });
    const { interactionId } = fake.users.runMessageCommand({ channelId: fake.ids.general, messageId: m.id, name: "Ask Dify Assistant about this" });
    const [reply] = await eventually(() => finalBotMessages(fake, m.id), 30_000);
    expect(reply?.content).toBe("Seen 1 file(s).");
    expect(dify.chatRequests[0]?.chat.query).toContain("Q3 numbers attached, thoughts?");
    expect(dify.uploads.map((u) => u.name)).toEqual(["q3.png"]);
    const note = await eventually(() => fake.commands.responses.get(interactionId)?.message.content || undefined);
    expect(note).toMatch(/Answering in the thread/);
    expect(fake.commands.responses.get(interactionId)?.ephemeral).toBe(true);
  });

  it("a forwarded message sent to the bot in a DM is read as the question: its text and file go to Dify", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    dify.onChat((turn) => scripts.answer(`Read ${turn.files.length} file(s).`));
    const dm = fake.users.dmChannel(fake.ids.alice);
    fake.users.sendMessage({
      channelId: dm,
      content: "",
      forward: { content: "The deploy failed at step 3, see the log.", attachments: [{ filename: "deploy.png", contentType: "image/png", data: PNG }] },
    });
    const [reply] = await eventually(() => finalBotMessages(fake, dm), 30_000);
    expect(reply?.content).toBe("Read 1 file(s).");
    expect(dify.chatRequests[0]?.chat.query).toBe("Forwarded message:\n> The deploy failed at step 3, see the log.");
    expect(dify.uploads.map((u) => u.name)).toEqual(["deploy.png"]);
  });
});
