import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { ANA, BO, buttonsOf, eventually, type Posted, SlackE2E, settle } from "./slack-e2e-harness.js";

/** The answer whose message shows `count` suggestion buttons (they follow the text once Dify listed them). */
function withButtons(e: SlackE2E, q: Posted, index: number, count = 2) {
  return eventually(() => {
    const m = e.botReplies(q)[index];
    return m && buttonsOf(m).length === count ? m : undefined;
  });
}

describe("Slack end to end: clicks that start work", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("30 clicks on one suggested question, by two people, ask it once: one job, one Dify call, one answer", async () => {
    e = await SlackE2E.start();
    e.dify.configure({ parameters: { ...e.dify.settings.parameters, suggested_questions_after_answer: { enabled: true } } });
    e.dify.setSuggestedQuestions(["Tell me more", "Next steps?"]);
    e.dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const q = await e.mention({ text: "Plan the launch" });
    await e.waitForAnswer(q, "A: Plan the launch");
    const first = await withButtons(e, q, 0);

    await Promise.all(Array.from({ length: 30 }, (_, i) => e.click(first, "Next steps?", i % 2 ? BO : ANA)));
    await e.waitForAnswer(q, /^A: Plan the launch\n\n\*\*(Ana|Bo)\*\* asked: Next steps\?\n\nA: Next steps\?$/);
    await settle(1_500);
    expect(e.dify.chatRequests.map((r) => r.chat.query)).toEqual(["Plan the launch", "Next steps?"]);
    expect(e.botReplies(q)).toHaveLength(2);
    expect(e.h.logs.filter((l) => l.msg === "suggestion already asked in this thread")).toHaveLength(29);
  }, 40_000);

  it("a click that would ask counts against USER_RATE_LIMIT like a message: over the limit it gets the same private notice and asks nothing; someone else may still ask that suggestion", async () => {
    e = await SlackE2E.start({ env: { USER_RATE_LIMIT: "2/1h" } });
    e.dify.configure({ parameters: { ...e.dify.settings.parameters, suggested_questions_after_answer: { enabled: true } } });
    e.dify.setSuggestedQuestions(["Tell me more", "Next steps?"]);
    e.dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const q = await e.mention({ text: "Plan the launch" });
    await e.waitForAnswer(q, "A: Plan the launch");
    // Ana's second unit of work: a click.
    await e.click(await withButtons(e, q, 0), "Tell me more", ANA);
    await e.waitForAnswer(q, "A: Plan the launch\n\n**Ana** asked: Tell me more\n\nA: Tell me more");
    const second = await withButtons(e, q, 1);

    // Her third is over the limit: told privately, in the words a message gets; nothing is asked.
    await e.click(second, "Next steps?", ANA);
    const notice = await eventually(() => e.slack.messages.ephemerals.find((m) => m.user === ANA.id));
    expect(notice.markdown).toMatch(/^You're sending messages faster than I can answer\. Please try again in \d+ s\.$/);
    expect(notice).toMatchObject({ channel: q.channel, threadTs: q.ts });
    await settle(1_000);
    expect(e.dify.chatRequests).toHaveLength(2);
    expect(e.botReplies(q)).toHaveLength(2);

    // The refused click did not use the suggestion up: Bo, within his own limit, asks it.
    await e.click(second, "Next steps?", BO);
    await e.waitForAnswer(q, "A: Plan the launch\n\n**Ana** asked: Tell me more\n\nA: Tell me more\n\n**Bo** asked: Next steps?\n\nA: Next steps?");
    expect(e.dify.chatRequests.map((r) => r.chat.query)).toEqual(["Plan the launch", "Tell me more", "Next steps?"]);
  }, 40_000);
});
