import { describe, it } from "vitest";
import { traceIdFor } from "../../../src/dify/chat-stream.js";
import { dify2026Options, replies, scripts, steps } from "../../fakes/dify/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { contentOf, finalBotMessages, messageWrites, settle, startDiscordE2E } from "./support.js";

/**
 * What a 2026 Dify server changes (docs/dify-2026.md), seen through the real discord.js client: files posted
 * once, upload errors that say why, one trace id per turn, progress lines for people.
 */

const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const PDF = Buffer.from("%PDF-1.4\n%%EOF\n");

describe.concurrent("discord end to end: Dify 2026", () => {
  it("message_end listing the user's own upload echoes nothing; a tool image sent as message_file and in message_end is posted once", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { dify: { ...dify2026Options(), mode: "chat" } });
    const toolUrl = dify.addToolFile({ bytes: PNG, mimeType: "image/png", extension: "png" });
    dify.onChatOnce(
      () => scripts.answer("A nice chart."),
      () => [steps.messageFile({ id: "a0000000-0000-4000-8000-00000000000a", url: toolUrl }), ...scripts.answer("Here is your picture.")],
    );
    const botFiles = (channelId: string) => fake.botMessages(channelId).flatMap((m) => m.attachments);

    const q = fake.users.sendMessage({
      channelId: fake.ids.general,
      content: `<@${fake.ids.bot}> Describe this`,
      attachments: [{ filename: "chart.png", contentType: "image/png", data: PNG }],
    });
    await eventually(() => finalBotMessages(fake, q.id)?.find((m) => m.content === "A nice chart."), 20_000);
    expect(dify.uploads).toHaveLength(1);
    // The 2026 message_end listed the user's upload (related_id, a fresh signed URL): it is not the assistant's file.
    await settle(600);
    expect(botFiles(q.id)).toEqual([]);
    expect(fake.botMessages(q.id).map((m) => m.content)).toEqual(["A nice chart."]);

    const q2 = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> Draw a cat` });
    await eventually(() => finalBotMessages(fake, q2.id)?.find((m) => m.content === "Here is your picture."), 20_000);
    await eventually(() => botFiles(q2.id).length === 1 || undefined, 10_000);
    await settle(600);
    // message_file and message_end both named it (same id as related_id, a new signature): posted once, byte for byte.
    expect(botFiles(q2.id)).toHaveLength(1);
    expect(botFiles(q2.id)[0]?.size).toBe(PNG.byteLength);
  });

  it("413 / 415 / a blocked extension: the reply names the cause and the app's own limit, and the question is still answered", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { dify: { ...dify2026Options(), mode: "chat" } });
    const p = dify.settings.parameters as { system_parameters: Record<string, number> };
    // The app's own limits as /parameters reports them: 4 MB for images, not the 10 MB default.
    dify.configure({ parameters: { ...dify.settings.parameters, system_parameters: { ...p.system_parameters, image_file_size_limit: 4 } } });
    // Dify's 2026 answers (services/file_service.py): 413 with an empty message, 415, 400 for a blocked extension.
    dify.intercept((r) => {
      if (r.path !== "/v1/files/upload") return undefined;
      const name = r.form?.files[0]?.filename ?? "";
      if (name === "huge.png") return replies.json(413, "file_too_large", "");
      if (name === "spec.pdf") return replies.json(415, "unsupported_file_type", "File type not allowed.");
      if (name === "notes.md") return replies.json(400, "invalid_param", "File extension '.md' is not allowed for security reasons");
      return undefined;
    });
    dify.onChat((turn) => scripts.answer(`Answered with ${turn.files.length} file(s).`));
    const q = fake.users.sendMessage({
      channelId: fake.ids.general,
      content: `<@${fake.ids.bot}> Look at these`,
      attachments: [
        { filename: "huge.png", contentType: "image/png", data: PNG },
        { filename: "spec.pdf", contentType: "application/pdf", data: PDF },
        { filename: "notes.md", contentType: "text/markdown", data: Buffer.from("# hi") },
      ],
    });
    const reply = await eventually(() => finalBotMessages(fake, q.id)?.find((m) => m.content.includes("Answered with 0 file")), 20_000);
    expect(reply.content).toContain("⚠️ Not sent to the assistant: huge.png (it is larger than the assistant's 4 MB limit for images).");
    expect(reply.content).toContain("⚠️ Not sent to the assistant: spec.pdf (the assistant does not accept .pdf files).");
    expect(reply.content).toContain("⚠️ Not sent to the assistant: notes.md (.md files are blocked by the assistant's server).");
    expect(reply.content).not.toContain("the upload to the assistant failed");
    expect(dify.chatRequests).toHaveLength(1);
  });

  it("a file over the app's limit is not even uploaded, and the note names that limit", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { dify: { ...dify2026Options(), mode: "chat" } });
    const p = dify.settings.parameters as { system_parameters: Record<string, number> };
    dify.configure({ parameters: { ...dify.settings.parameters, system_parameters: { ...p.system_parameters, file_size_limit: 1 } } });
    dify.onChat(() => scripts.answer("Done."));
    const q = fake.users.sendMessage({
      channelId: fake.ids.general,
      content: `<@${fake.ids.bot}> Summarise`,
      attachments: [{ filename: "report.pdf", contentType: "application/pdf", data: Buffer.alloc(1024 * 1024 + 10, 65) }],
    });
    const reply = await eventually(() => finalBotMessages(fake, q.id)?.find((m) => m.content.includes("Done.")), 20_000);
    expect(reply.content).toContain("report.pdf (it is larger than the assistant's 1 MB limit for documents)");
    expect(dify.uploads).toHaveLength(0);
  });

  it("conversation_completed starts a fresh conversation like a 404; agent_not_published gets its own text", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { dify: { ...dify2026Options(), mode: "chat" } });
    dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> first question` });
    await eventually(() => finalBotMessages(fake, q.id)?.find((m) => m.content === "A: first question"), 20_000);
    const conversation = [...dify.store.conversations.values()][0];
    if (!conversation) throw new Error("no conversation");
    conversation.status = "completed";
    fake.users.sendMessage({ channelId: q.id, authorId: fake.ids.alice, content: "second question" });
    await eventually(() => finalBotMessages(fake, q.id, 2)?.find((m) => m.content === "A: second question"), 20_000);
    expect(dify.chatRequests.map((r) => [r.chat.conversation_id, r.status])).toEqual([
      ["", 200],
      [conversation.id, 400],
      ["", 200],
    ]);

    dify.intercept((r) => (r.path === "/v1/chat-messages" ? replies.json(400, "agent_not_published", "Agent is not published.") : undefined));
    const q2 = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> hello agent` });
    const failed = await eventually(() => finalBotMessages(fake, q2.id)?.[0], 20_000);
    expect(failed.content).toBe("⚠️ The assistant has no published version yet: publish the agent in Dify.");
  });

  it("X-Trace-Id is the turn's id on the chat call, and every log line of that turn carries it", async ({ expect, onTestFinished }) => {
    const { fake, dify, harness } = await startDiscordE2E({ onTestFinished }, { dify: { ...dify2026Options(), mode: "advanced-chat" } });
    dify.onChat(() => scripts.chatflowFailed({ order: "replace-end-finished", error: "boom" }));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> trace me` });
    await eventually(() => finalBotMessages(fake, q.id)?.find((m) => m.content.includes("workflow failed")), 20_000);
    const header = dify.chatRequests[0]?.headers["x-trace-id"];
    expect(header).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    const failure = await eventually(() => harness.logs.find((l) => l.msg === "Dify workflow run failed"), 10_000);
    expect(failure.obj).toMatchObject({ traceId: header });
    const jobId = (failure.obj as { jobId?: string }).jobId as string;
    expect(traceIdFor(jobId)).toBe(header);
    await eventually(() => harness.logs.find((l) => l.msg === "answer delivered" && (l.obj as { jobId?: unknown }).jobId === jobId), 10_000);
    const turnLines = harness.logs.filter((l) => (l.obj as { jobId?: unknown }).jobId === jobId);
    expect(turnLines.length).toBeGreaterThanOrEqual(2);
    expect(turnLines.every((l) => (l.obj as { traceId?: unknown }).traceId === header)).toBe(true);
  });

  it("progress lines say 'Retrying …' for node_retry and never show agent_log internals", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { dify: { mode: "advanced-chat" } });
    dify.onChat(() => scripts.chatflowRetriedNode("The report is ready.", { holdMs: 1_600 }));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> fetch the report` });
    await eventually(() => finalBotMessages(fake, q.id)?.find((m) => m.content === "The report is ready."), 20_000);
    const shown = messageWrites(fake, q.id).map(contentOf);
    expect(shown.some((t) => t.includes("Retrying Fetch report…"))).toBe(true);
    expect(shown.some((t) => /ROUND 1|Thought|CoT/.test(t))).toBe(false);
  });
});
