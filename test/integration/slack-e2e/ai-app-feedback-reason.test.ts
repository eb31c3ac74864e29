import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import type { FakeSlackMessage } from "../../fakes/slack/index.js";
import { ANA, BO, eventually, type Posted, SlackE2E, settle } from "./slack-e2e-harness.js";

const ANSWER = "The office opens at 9.";

type FeedbackElement = { type: string; action_id: string; positive_button: { value: string }; negative_button: { value: string } };

function feedbackButtons(m: FakeSlackMessage): FeedbackElement | undefined {
  const block = m.blocks.find((b) => (b as { type?: string }).type === "context_actions") as { elements?: FeedbackElement[] } | undefined;
  return block?.elements?.find((el) => el.type === "feedback_buttons");
}

async function answered(e: SlackE2E): Promise<{ q: Posted; reply: FakeSlackMessage; buttons: FeedbackElement }> {
  e.dify.onChat(() => scripts.answer(ANSWER, { chunkChars: 8, delayMs: 10 }));
  const q = await e.mention({ text: "When does the office open?" });
  const [reply] = await e.waitForAnswer(q, ANSWER);
  if (!reply) throw new Error("no reply");
  const buttons = await eventually(() => feedbackButtons(e.slack.messages.get(reply.channel, reply.ts) as FakeSlackMessage));
  return { q, reply, buttons };
}

const clickFeedback = (e: SlackE2E, user: string, reply: FakeSlackMessage, q: Posted, b: FeedbackElement, value: string) =>
  e.interact(
    e.slack.payloads.feedbackClick({ user, channel: reply.channel, messageTs: reply.ts, threadTs: q.threadTs, actionId: b.action_id, value, text: "x" }),
  );

describe("Slack AI app: 👎 asks what was wrong; the text goes to Dify's feedback content", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it.each(["http", "socket"] as const)(
    "the 👎 feedback button opens the form for the clicker (views.open with the click's trigger); its text reaches Dify with the dislike (%s)",
    async (transport) => {
      e = await SlackE2E.start({ transport, slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "native" } });
      const { q, reply, buttons } = await answered(e);
      await clickFeedback(e, ANA.id, reply, q, buttons, buttons.negative_button.value);
      await eventually(() => e.dify.feedbackRequests.find((f) => f.rating === "dislike"));
      const [form] = await eventually(() => (e.slack.views.openFor(ANA.id).length > 0 ? e.slack.views.openFor(ANA.id) : undefined));
      if (!form) throw new Error("no form");
      expect(e.slack.callsTo("views.open")[0]?.error).toBeUndefined();
      expect(form.view).toMatchObject({ type: "modal", title: { text: "What was wrong?" } });

      await e.interact(e.slack.viewSubmission({ viewId: form.id, user: form.user ?? "", values: { reason_text: "It opens at 8 on Mondays." } }));
      const withContent = await eventually(() => e.dify.feedbackRequests.find((f) => f.content === "It opens at 8 on Mondays."));
      expect(withContent).toMatchObject({ rating: "dislike", user: q.conversationKey, status: 200 });
    },
  );

  it("same rule as reactions: a later 👍 by someone else makes the rating like and takes the 👎's text off", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "native" } });
    const { q, reply, buttons } = await answered(e);
    await clickFeedback(e, ANA.id, reply, q, buttons, buttons.negative_button.value);
    const [form] = await eventually(() => (e.slack.views.openFor(ANA.id).length > 0 ? e.slack.views.openFor(ANA.id) : undefined));
    if (!form) throw new Error("no form");
    await e.interact(e.slack.viewSubmission({ viewId: form.id, user: form.user ?? "", values: { reason_text: "Wrong hours." } }));
    await eventually(() => e.dify.feedbackRequests.find((f) => f.content === "Wrong hours."));
    await clickFeedback(e, BO.id, reply, q, buttons, buttons.positive_button.value);
    const like = await eventually(() => e.dify.feedbackRequests.find((f) => f.rating === "like"));
    expect(like.content).toBeUndefined();
    // 👍 opens no form.
    expect(e.slack.views.openFor(BO.id)).toHaveLength(0);
    // The commenter changes their mind too: a 👍 never carries the text written for a 👎.
    await clickFeedback(e, ANA.id, reply, q, buttons, buttons.positive_button.value);
    await settle(400);
    expect(e.dify.feedbackRequests.filter((f) => f.rating !== "dislike" && f.content !== undefined)).toEqual([]);
  });

  it("a form sent empty changes nothing: the dislike stays without content", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "native" } });
    const { q, reply, buttons } = await answered(e);
    await clickFeedback(e, ANA.id, reply, q, buttons, buttons.negative_button.value);
    const [form] = await eventually(() => (e.slack.views.openFor(ANA.id).length > 0 ? e.slack.views.openFor(ANA.id) : undefined));
    if (!form) throw new Error("no form");
    await e.interact(e.slack.viewSubmission({ viewId: form.id, user: form.user ?? "", values: {} }));
    await settle(300);
    expect(e.dify.feedbackRequests.map((f) => [f.rating, f.content])).toEqual([["dislike", undefined]]);
  });

  it("a 👎 reaction (no trigger) gets an ephemeral button for the reactor; the button opens the form and its text reaches Dify", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "native" } });
    const { q, reply } = await answered(e);
    await e.react(true, BO, reply, "-1");
    await eventually(() => e.dify.feedbackRequests.find((f) => f.rating === "dislike"));
    const offer = await eventually(() => e.slack.messages.ephemerals.find((m) => m.user === BO.id));
    expect(offer.channel).toBe(reply.channel);
    expect(e.slack.messages.ephemerals.filter((m) => m.user === ANA.id)).toHaveLength(0);

    await e.interact(e.slack.ephemeralButtonClick({ user: BO.id, ts: offer.ts, label: "Say what was wrong" }));
    const [form] = await eventually(() => (e.slack.views.openFor(BO.id).length > 0 ? e.slack.views.openFor(BO.id) : undefined));
    if (!form) throw new Error("no form");
    await e.interact(e.slack.viewSubmission({ viewId: form.id, user: form.user ?? "", values: { reason_text: "Too vague." } }));
    const sent = await eventually(() => e.dify.feedbackRequests.find((f) => f.content === "Too vague."));
    expect(sent).toMatchObject({ rating: "dislike", user: q.conversationKey });
    // The click was the adapter's own: the core saw no button action to report as ignored.
    expect(e.h.logs.filter((l) => l.msg === "button for an unknown or expired answer")).toHaveLength(0);
  });

  it("a 👍 reaction offers nothing", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "native" } });
    const { reply } = await answered(e);
    await e.react(true, BO, reply, "+1");
    await eventually(() => e.dify.feedbackRequests.find((f) => f.rating === "like"));
    await settle(200);
    expect(e.slack.messages.ephemerals).toHaveLength(0);
  });
});
