import { describe, it } from "vitest";
import { scripts, transcriptSteps } from "../../fakes/dify/index.js";
import { readAppRunTranscript } from "../../fixtures/dify/app-runs.js";
import { eventually } from "../../support/bridge-harness.js";
import { buttonsOf, contentOf, finalBotMessages, messageWrites, settle, startDiscordE2E, threadKey } from "./support.js";

/**
 * Workflow and Text Generator apps through the real discord.js client: one run per message on the app type's
 * own endpoint, the question in the app's first text input, no conversation (docs/dify-2026.md §5).
 */
describe.concurrent("discord end to end: Workflow and Text Generator apps", () => {
  it("a Workflow app streams its text_chunk text into the thread; the next message in the thread is a run of its own", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { dify: { mode: "workflow" } });
    const answer = "Release 2.4 adds SSO login, faster search and a dark theme. Upgrading takes about ten minutes per server.";
    dify.onChat(() => scripts.workflow(answer, { chunkChars: 6, delayMs: 90 }));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> Summarise the release notes` });
    const [reply] = await eventually(() => finalBotMessages(fake, q.id)?.filter((m) => m.content === answer), 20_000);
    if (!reply) throw new Error("no reply");
    // Streamed: an edit showed part of the answer before the final one.
    const shown = messageWrites(fake, q.id).map(contentOf);
    expect(shown.some((t) => t.length > 0 && t.length < answer.length && answer.startsWith(t))).toBe(true);
    expect(reply.components).toEqual([]);

    const user = threadKey(fake, fake.ids.general, q.id);
    expect(dify.workflowRunRequests[0]?.chat).toEqual({ inputs: { question: "Summarise the release notes" }, user, response_mode: "streaming" });
    expect(dify.chatRequests).toHaveLength(0);

    dify.onChat((turn) => scripts.workflow(`Second run: ${String(turn.inputs.question)}`));
    fake.users.sendMessage({ channelId: q.id, authorId: fake.ids.bob, content: "and the dark theme?" });
    await eventually(() => finalBotMessages(fake, q.id, 2)?.find((m) => m.content === "Second run: and the dark theme?"), 20_000);
    expect(dify.workflowRunRequests).toHaveLength(2);
    expect(dify.workflowRunRequests[1]?.chat).toEqual({ inputs: { question: "and the dark theme?" }, user, response_mode: "streaming" });
    expect(dify.workflowRunRequests.every((r) => !("conversation_id" in r.chat))).toBe(true);

    // A Workflow run has no message to rate: a 👍 does nothing.
    fake.users.react({ channelId: q.id, messageId: reply.id, userId: fake.ids.alice, emoji: "👍", add: true });
    await settle(600);
    expect(dify.feedbackRequests).toHaveLength(0);
  });

  it("a Workflow that streams nothing answers with its output; a failed one shows Dify's error with Retry", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { dify: { mode: "workflow" } });
    dify.onChatOnce(
      () => transcriptSteps(readAppRunTranscript("workflow-outputs-only")),
      () => transcriptSteps(readAppRunTranscript("workflow-failed")),
    );
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> Who handles ticket 4312?` });
    await eventually(() => finalBotMessages(fake, q.id)?.find((m) => m.content === "Ticket #4312 is assigned to the billing team (priority: high)."), 20_000);
    const q2 = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> Fetch the latest report` });
    const failed = await eventually(() => finalBotMessages(fake, q2.id)?.[0], 20_000);
    expect(failed.content).toMatch(/^⚠️ The assistant's workflow failed: Reached maximum retries \(3\) for URL/);
    expect(buttonsOf(failed).map((b) => b.label)).toEqual(["Retry"]);
  });

  it("a Text Generator app answers each message with a completion of its own, and its answers take 👍", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { dify: { mode: "completion" } });
    dify.onChat(() => transcriptSteps(readAppRunTranscript("completion-basic")));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> Write a note: office closed Friday` });
    const answer = "Dear team, the office is closed on Friday. Enjoy the long weekend!";
    const [reply] = await eventually(() => finalBotMessages(fake, q.id)?.filter((m) => m.content === answer), 20_000);
    const user = threadKey(fake, fake.ids.general, q.id);
    expect(dify.completionRequests[0]?.chat).toEqual({
      inputs: { text: "Write a note: office closed Friday" },
      query: "Write a note: office closed Friday",
      user,
      response_mode: "streaming",
    });

    dify.onChat((turn) => scripts.completion(`Shorter: ${String(turn.inputs.text)}`));
    fake.users.sendMessage({ channelId: q.id, authorId: fake.ids.alice, content: "make it shorter" });
    await eventually(() => finalBotMessages(fake, q.id, 2)?.find((m) => m.content === "Shorter: make it shorter"), 20_000);
    expect(dify.completionRequests.map((r) => [r.chat.inputs, "conversation_id" in r.chat])).toEqual([
      [{ text: "Write a note: office closed Friday" }, false],
      [{ text: "make it shorter" }, false],
    ]);

    fake.users.react({ channelId: q.id, messageId: reply!.id, userId: fake.ids.alice, emoji: "👍", add: true });
    await eventually(() => dify.feedbackRequests[0], 10_000);
    expect(dify.feedbackRequests[0]).toMatchObject({ messageId: dify.streams[0]?.messageId, rating: "like", user, status: 200 });
  });

  it("Stop on a Workflow answer stops it at the Workflow's endpoint", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { dify: { mode: "workflow" } });
    dify.onChat(() => scripts.workflow("A very long report. ".repeat(200), { chunkChars: 4, delayMs: 40 }));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> Write the report` });
    const streaming = await eventually(
      () => fake.botMessages(q.id).find((m) => m.content.startsWith("A ve") && buttonsOf(m).some((b) => b.label === "Stop")),
      20_000,
    );
    const stop = buttonsOf(streaming).find((b) => b.label === "Stop");
    fake.users.clickButton({ channelId: q.id, messageId: streaming.id, customId: stop!.customId, userId: fake.ids.alice });
    const final = await eventually(() => finalBotMessages(fake, q.id)?.find((m) => m.content.endsWith("⏹ Stopped")), 20_000);
    expect(final.content).toMatch(/^A ve/);
    const taskId = dify.streams[0]?.taskId;
    expect(dify.stopRequests.length).toBeGreaterThanOrEqual(1);
    expect(dify.stopRequests.every((s) => s.request.path === `/v1/workflows/tasks/${taskId}/stop`)).toBe(true);
    expect(dify.streams[0]?.endReason).toBe("stopped");
  });
});
