import { describe, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import type { FakeDiscord } from "../../fakes/discord/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { buttonsOf, finalBotMessages, settle, startDiscordE2E } from "./support.js";

/** The bot's `index`-th message in the thread once it is final and shows both suggestion buttons. */
function suggestionsOn(fake: FakeDiscord, threadId: string, index: number) {
  return eventually(() => {
    const m = finalBotMessages(fake, threadId, index + 1)?.[index];
    return m && buttonsOf(m).length === 2 ? m : undefined;
  }, 15_000);
}

describe.concurrent("discord end to end: clicks that start work", () => {
  it("30 clicks on one suggested question, by two people, ask it once: one Dify call, one answer", async ({ expect, onTestFinished }) => {
    const { fake, dify, harness } = await startDiscordE2E({ onTestFinished });
    dify.configure({ parameters: { ...dify.settings.parameters, suggested_questions_after_answer: { enabled: true } } });
    dify.setSuggestedQuestions(["Tell me more", "What are the next steps?"]);
    dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> plan the migration` });
    const first = await suggestionsOn(fake, q.id, 0);
    const next = buttonsOf(first).find((b) => b.label === "What are the next steps?")!;

    const clicks = Array.from({ length: 30 }, (_, i) =>
      fake.users.clickButton({ channelId: q.id, messageId: first.id, customId: next.customId, userId: i % 2 ? fake.ids.bob : fake.ids.alice }),
    );
    const replies = await eventually(() => finalBotMessages(fake, q.id, 2), 20_000);
    await settle(1_500);
    // Every click is acknowledged (Discord needs that within 3 s); only one asks.
    expect(new Set(fake.interactionCallbacks.map((c) => c.interactionId))).toEqual(new Set(clicks.map((c) => c.interactionId)));
    expect(dify.chatRequests.map((r) => r.chat.query)).toEqual(["plan the migration", "What are the next steps?"]);
    expect(fake.botMessages(q.id)).toHaveLength(2);
    expect(replies[1]!.content).toMatch(/^\*\*(Alice|Bob)\*\* asked: What are the next steps\?\n\nA: What are the next steps\?$/);
    expect(harness.logs.filter((l) => l.msg === "suggestion already asked in this thread")).toHaveLength(29);
  }, 40_000);

  it("a click over USER_RATE_LIMIT gets the slow-down notice a message gets, privately, and asks nothing", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { env: { USER_RATE_LIMIT: "2/1h" } });
    dify.configure({ parameters: { ...dify.settings.parameters, suggested_questions_after_answer: { enabled: true } } });
    dify.setSuggestedQuestions(["Tell me more", "What are the next steps?"]);
    dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> plan the migration` });
    const first = await suggestionsOn(fake, q.id, 0);
    const more = buttonsOf(first).find((b) => b.label === "Tell me more")!;
    fake.users.clickButton({ channelId: q.id, messageId: first.id, customId: more.customId, userId: fake.ids.alice });
    const second = await suggestionsOn(fake, q.id, 1);

    // Alice's third piece of work in the window.
    const next = buttonsOf(second).find((b) => b.label === "What are the next steps?")!;
    const refused = fake.users.clickButton({ channelId: q.id, messageId: second.id, customId: next.customId, userId: fake.ids.alice });
    const notice = await eventually(() => fake.interactionFollowUps.find((f) => f.interactionId === refused.interactionId), 10_000);
    expect(notice).toMatchObject({ userId: fake.ids.alice, channelId: q.id, ephemeral: true });
    expect(notice.content).toMatch(/^You're sending messages faster than I can answer\. Please try again in \d+ s\.$/);
    await settle(1_000);
    expect(dify.chatRequests.map((r) => r.chat.query)).toEqual(["plan the migration", "Tell me more"]);
    expect(fake.botMessages(q.id)).toHaveLength(2);
  }, 40_000);
});
