import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import type { FakeSlackMessage } from "../../fakes/slack/index.js";
import { ANA, BO, eventually, SlackE2E } from "./slack-e2e-harness.js";

const ANSWER = "Paris is the capital of France.";

type FeedbackElement = { type: string; action_id: string; positive_button: { value: string }; negative_button: { value: string } };

function feedbackButtons(m: FakeSlackMessage): FeedbackElement | undefined {
  const block = m.blocks.find((b) => (b as { type?: string }).type === "context_actions") as { elements?: FeedbackElement[] } | undefined;
  return block?.elements?.find((el) => el.type === "feedback_buttons");
}

describe("Slack AI app: feedback buttons on the final answer", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it.each(["native", "edit"] as const)("the answer carries 👍/👎 (SLACK_STREAMING=%s); 👍 rates like, 👎 by someone else rates dislike", async (mode) => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: mode } });
    e.dify.onChat(() => scripts.answer(ANSWER, { chunkChars: 8, delayMs: 20 }));
    const q = await e.mention({ text: "Capital of France?" });
    const [reply] = await e.waitForAnswer(q, ANSWER);
    if (!reply) throw new Error("no reply");
    const buttons = await eventually(() => feedbackButtons(e.slack.messages.get(reply.channel, reply.ts) as FakeSlackMessage));
    expect(buttons.positive_button.value).toBe("thumbs_up");

    const click = (user: string, value: string) =>
      e.interact(
        e.slack.payloads.feedbackClick({
          user,
          channel: reply.channel,
          messageTs: reply.ts,
          threadTs: q.threadTs,
          actionId: buttons.action_id,
          value,
          text: "x",
        }),
      );
    await click(ANA.id, buttons.positive_button.value);
    const like = await eventually(() => e.dify.feedbackRequests[0]);
    expect(like).toMatchObject({ rating: "like", user: q.conversationKey, status: 200 });

    await click(BO.id, buttons.negative_button.value);
    await eventually(() => e.dify.feedbackRequests.find((f) => f.rating === "dislike"));
  });

  it("a classic app (SLACK_AI_APP=false) shows no feedback buttons", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "false" } });
    e.dify.onChat(() => scripts.answer(ANSWER));
    const q = await e.mention({ text: "Capital of France?" });
    const [reply] = await e.waitForAnswer(q, ANSWER);
    expect(reply && feedbackButtons(reply)).toBeUndefined();
  });
});
