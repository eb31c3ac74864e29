import { afterEach, describe, expect, it } from "vitest";
import { dify2026Options, scripts, steps } from "../../fakes/dify/index.js";
import { buttonsOf, eventually, SlackE2E } from "../slack-e2e/slack-e2e-harness.js";

/**
 * A Chatflow's outcome is `workflow_finished.status` (docs/dify-2026.md §1), read on after `message_end`; the
 * user sees failures with Dify's own error text, and the user's own uploads are never echoed back.
 */

const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const suggestionsOn = (e: SlackE2E) => e.dify.configure({ parameters: { ...e.dify.settings.parameters, suggested_questions_after_answer: { enabled: true } } });
const suggestedCalls = (e: SlackE2E) => e.dify.requests.filter((r) => r.path.endsWith("/suggested"));

describe("Slack end to end: Chatflow outcomes on a 2026 server", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it.each(["replace-end-finished", "finished-then-error"] as const)(
    "a failed Chatflow (%s) shows ⚠️ with Dify's error text and Retry, and no suggestions",
    async (order) => {
      e = await SlackE2E.start({ dify: { ...dify2026Options(), mode: "advanced-chat" } });
      suggestionsOn(e);
      e.dify.onChat(() => scripts.chatflowFailed({ afterText: "Looking it up", order, error: "Node Search failed: upstream returned 503" }));
      const q = await e.mention({ text: "What changed?" });
      const [reply] = await e.waitForAnswer(q, /workflow failed/);
      expect(reply?.markdown).toBe("Looking it up\n\n⚠️ The assistant's workflow failed: Node Search failed: upstream returned 503");
      expect(buttonsOf(reply as never).map((b) => b.label)).toEqual(["Retry"]);
      expect(reply?.markdown).not.toContain("empty answer");
      await new Promise((r) => setTimeout(r, 200));
      expect(suggestedCalls(e)).toHaveLength(0);
    },
  );

  it("a stopped run says ⏹ Stopped; partial success shows the answer with a short warning", async () => {
    e = await SlackE2E.start({ dify: { ...dify2026Options(), mode: "advanced-chat" } });
    const ending = (status: string) => [
      steps.workflowStarted(),
      steps.message("Half an answer"),
      steps.messageEnd(),
      steps.delay(50),
      steps.workflowFinished({ status }),
    ];
    e.dify.onChatOnce(
      () => ending("stopped"),
      () => ending("partial-succeeded"),
    );
    const stopped = await e.mention({ text: "one" });
    const [a] = await e.waitForAnswer(stopped, /Stopped/);
    expect(a?.markdown).toBe("Half an answer\n\n⏹ Stopped");
    const partial = await e.mention({ text: "two" });
    const [b] = await e.waitForAnswer(partial, /incomplete/);
    expect(b?.markdown).toBe("Half an answer\n\n⚠️ Some steps of the assistant's workflow failed; this answer may be incomplete.");
  });

  it("message_end listing the user's own upload echoes nothing; a tool image sent as message_file and in message_end is posted once", async () => {
    e = await SlackE2E.start({ dify: { ...dify2026Options(), mode: "chat" } });
    const toolUrl = e.dify.addToolFile({ bytes: PNG, mimeType: "image/png", extension: "png" });
    e.dify.onChatOnce(
      () => scripts.answer("A nice chart."),
      () => [steps.messageFile({ id: "a0000000-0000-4000-8000-00000000000a", url: toolUrl }), ...scripts.answer("Here is your picture.")],
    );
    const png = e.slack.hostFile({ name: "chart.png", mimetype: "image/png", data: PNG });
    // Files the bot put into Slack (the user's own attachment is hosted by the fake too).
    const botFiles = () => e.slack.files.uploaded().filter((f) => f.id !== png.id);
    const q = await e.mention({ text: "Describe this", files: [png] });
    await e.waitForAnswer(q, "A nice chart.");
    expect(e.dify.uploads).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(botFiles()).toHaveLength(0);
    expect(e.botReplies(q).map((m) => m.markdown)).toEqual(["A nice chart."]);

    const q2 = await e.mention({ text: "Draw a cat" });
    // The picture is in the thread before the answer is read: the file's own message must not hide the answer.
    await eventually(() => expect(botFiles()).toHaveLength(1));
    await e.waitForAnswer(q2, "Here is your picture.");
    await new Promise((r) => setTimeout(r, 300));
    expect(botFiles()).toHaveLength(1);
    expect(Buffer.from(botFiles()[0]?.data ?? []).equals(PNG)).toBe(true);
  });
});

describe("Slack end to end: one trace id per turn", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("sends X-Trace-Id with the turn's id on the chat call, and the turn's log lines carry the same id", async () => {
    e = await SlackE2E.start({ dify: { ...dify2026Options(), mode: "advanced-chat" } });
    e.dify.onChat(() => scripts.chatflowFailed({ order: "replace-end-finished", error: "boom" }));
    const q = await e.mention({ text: "trace me" });
    await e.waitForAnswer(q, /workflow failed/);
    const header = e.dify.chatRequests[0]?.headers["x-trace-id"];
    expect(header).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    const failure = await eventually(() => e.h.logs.find((l) => l.msg === "Dify workflow run failed"));
    expect(failure.obj.traceId).toBe(header);
  });
});
