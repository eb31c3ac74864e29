import { afterEach, describe, expect, it } from "vitest";
import { createGate, scripts, steps } from "../../fakes/dify/index.js";
import { ANA, BO, eventually, hasStopButton, isNativeStream, SlackE2E, settle } from "./slack-e2e-harness.js";

describe.each(["edit", "auto"] as const)("Slack end to end over HTTP: Stop (SLACK_STREAMING=%s)", (mode) => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("Stop clicked by the asker stops the Dify task with the thread's user and marks the reply stopped; anyone else gets an ephemeral notice", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_STREAMING: mode } });
    const gate = createGate();
    e.dify.onChat(() => [steps.message("Working on a long answer"), steps.waitFor(gate), ...scripts.answer(" that never arrives")]);
    const q = await e.mention({ text: "Take your time" });
    // The text is visible and the Stop button is on the reply (edits) or on its placeholder (native stream).
    const control = await eventually(() => (e.botReplies(q).some((m) => m.markdown === "Working on a long answer") ? e.stopControl(q) : undefined));

    // Bo is not the asker: only a notice, visible to him alone; Dify is not touched.
    await e.click(control, "Stop", BO);
    await eventually(() => e.slack.messages.ephemerals.length === 1);
    expect(e.slack.messages.ephemerals[0]).toMatchObject({ channel: q.channel, user: BO.id, threadTs: q.ts });
    expect(e.slack.messages.ephemerals[0]?.markdown).toBe("Only Ana can stop this answer.");
    expect(e.dify.stopRequests).toHaveLength(0);

    await e.click(control, "Stop", ANA);
    const [reply, ...more] = await e.waitForAnswer(q, "Working on a long answer\n\n⏹ Stopped");
    expect(more).toHaveLength(0);
    expect(e.botReplies(q).some(hasStopButton)).toBe(false);
    if (isNativeStream(reply ?? control)) {
      expect(reply?.stream).toBe("stopped");
      expect(e.slack.messages.get(q.channel, control.ts)?.isDeleted).toBe(true);
    } else {
      expect(reply?.ts).toBe(control.ts);
      expect(reply?.blocks).toEqual([{ type: "markdown", text: "Working on a long answer\n\n⏹ Stopped" }]);
    }
    if (mode === "edit") expect(e.slack.callsTo("chat.startStream")).toHaveLength(0);
    expect(e.dify.stopRequests.length).toBeGreaterThanOrEqual(1);
    expect(e.dify.stopRequests.every((s) => s.taskId === e.dify.streams[0]?.taskId && s.user === q.conversationKey)).toBe(true);
    expect(e.dify.stopRequests.some((s) => s.stoppedStream)).toBe(true);
    expect(await e.dify.streams[0]?.done).toBe("stopped");
    gate.open();
  });
});

describe("Slack end to end over HTTP: reactions", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it('👍 becomes Dify feedback "like" for that answer; removing it revokes the rating; other emoji are not feedback', async () => {
    e = await SlackE2E.start();
    e.dify.onChat(() => scripts.answer("Rate this answer."));
    const q = await e.mention({ text: "Something to rate" });
    const [reply] = await e.waitForAnswer(q, "Rate this answer.");
    if (!reply) throw new Error("no reply");

    await e.react(true, ANA, reply, "tada");
    await e.react(true, ANA, reply, "+1");
    await eventually(() => e.dify.feedbackRequests.length === 1);
    await e.react(false, ANA, reply, "+1");
    await eventually(() => e.dify.feedbackRequests.length === 2);
    await settle();
    expect(e.dify.feedbackRequests.map((f) => [f.rating, f.status])).toEqual([
      ["like", 200],
      [null, 200],
    ]);
    expect(e.dify.feedbackRequests.every((f) => f.messageId === e.dify.streams[0]?.messageId && f.user === q.conversationKey)).toBe(true);
  });
});
