import { afterEach, describe, expect, it } from "vitest";
import { createGate, scripts, steps } from "../../fakes/dify/index.js";
import { ANA, BO, buttonsOf, eventually, hasStopButton, settle, SlackE2E } from "./slack-e2e-harness.js";

describe("Slack end to end over HTTP: Stop, suggested questions and reactions", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("Stop clicked by the asker stops the Dify task with the thread's user and marks the reply stopped; anyone else gets an ephemeral notice", async () => {
    e = await SlackE2E.start();
    const gate = createGate();
    e.dify.onChat(() => [steps.message("Working on a long answer"), steps.waitFor(gate), ...scripts.answer(" that never arrives")]);
    const q = await e.mention({ text: "Take your time" });
    const live = await eventually(() => e.botReplies(q).find((m) => m.markdown === "Working on a long answer" && hasStopButton(m)));

    // Bo is not the asker: only a notice, visible to him alone; Dify is not touched.
    await e.click(live, "Stop", BO);
    await eventually(() => e.slack.messages.ephemerals.length === 1);
    expect(e.slack.messages.ephemerals[0]).toMatchObject({ channel: q.channel, user: BO.id, threadTs: q.ts });
    expect(e.slack.messages.ephemerals[0]?.markdown).toBe("Only Ana can stop this answer.");
    expect(e.dify.stopRequests).toHaveLength(0);

    await e.click(live, "Stop", ANA);
    const [reply, ...more] = await e.waitForAnswer(q, "Working on a long answer\n\n⏹ Stopped");
    expect(more).toHaveLength(0);
    expect(reply?.ts).toBe(live.ts);
    expect(reply?.blocks).toEqual([{ type: "markdown", text: "Working on a long answer\n\n⏹ Stopped" }]);
    expect(e.dify.stopRequests.length).toBeGreaterThanOrEqual(1);
    expect(e.dify.stopRequests.every((s) => s.taskId === e.dify.streams[0]?.taskId && s.user === q.conversationKey)).toBe(true);
    expect(e.dify.stopRequests.some((s) => s.stoppedStream)).toBe(true);
    expect(await e.dify.streams[0]?.done).toBe("stopped");
    gate.open();
  });

  it("a suggested-question click by someone else asks it in the same conversation, says who asked, and retires the old buttons", async () => {
    e = await SlackE2E.start();
    e.dify.configure({ parameters: { ...e.dify.settings.parameters, suggested_questions_after_answer: { enabled: true } } });
    e.dify.setSuggestedQuestions(["Tell me more", "Next steps?"]);
    e.dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const q = await e.mention({ text: "Plan the launch" });
    const first = await eventually(() => e.finalReplies(q)?.find((m) => buttonsOf(m).length === 2));
    expect(first.markdown).toBe("A: Plan the launch");
    expect(buttonsOf(first).map((b) => b.label)).toEqual(["Tell me more", "Next steps?"]);

    await e.click(first, "Next steps?", BO);
    const replies = await eventually(() => {
      const all = e.finalReplies(q);
      return all?.length === 2 && all[1]?.markdown.endsWith("A: Next steps?") && buttonsOf(all[1]).length === 2 && buttonsOf(all[0] ?? first).length === 0 ? all : undefined;
    });
    expect(replies[1]?.markdown).toBe("**Bo** asked: Next steps?\n\nA: Next steps?");
    expect(replies[1]?.threadTs).toBe(q.ts);
    const [ask, followUp] = e.dify.chatRequests;
    expect(followUp?.chat).toMatchObject({ query: "Next steps?", conversation_id: e.dify.streams[0]?.conversationId, user: q.conversationKey });
    expect(followUp?.chat.user).toBe(ask?.chat.user);
    // The first answer keeps its text, without its buttons.
    expect(e.slack.messages.get(q.channel, first.ts)?.blocks).toEqual([{ type: "markdown", text: "A: Plan the launch" }]);
  });

  it("👍 becomes Dify feedback \"like\" for that answer; removing it revokes the rating; other emoji are not feedback", async () => {
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
