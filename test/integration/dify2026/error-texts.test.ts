import { afterEach, describe, expect, it } from "vitest";
import { dify2026Options, replies, scripts } from "../../fakes/dify/index.js";
import { buttonsOf, eventually, SlackE2E } from "../slack-e2e/slack-e2e-harness.js";

/** Errors that say why (docs/dify-2026.md §4), through the real Bolt adapter. */
describe("Slack end to end: Dify 2026 errors", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("conversation_completed starts a fresh conversation, like a 404, and the question is answered", async () => {
    e = await SlackE2E.start({ dify: { ...dify2026Options(), mode: "chat" } });
    e.dify.onChat((turn) => scripts.answer(`A: ${turn.query}`));
    const q = await e.mention({ text: "first question" });
    await e.waitForAnswer(q, "A: first question");
    const first = e.dify.chatRequests[0]?.chat.conversation_id;
    expect(first).toBe("");
    const conversation = [...e.dify.store.conversations.values()][0];
    if (!conversation) throw new Error("no conversation");
    // The conversation ended on Dify's side (its status is no longer "normal").
    conversation.status = "completed";

    await e.threadReply(q, { text: "second question" });
    await eventually(() => e.finalReplies(q)?.some((m) => m.markdown === "A: second question") || undefined);
    expect(e.dify.chatRequests.map((r) => r.chat.conversation_id)).toEqual(["", conversation.id, ""]);
    expect(e.dify.chatRequests[1]?.status).toBe(400);
    expect(e.dify.store.conversations.size).toBe(2);
  });

  it("agent_not_published and model_currently_not_support get their own short text", async () => {
    e = await SlackE2E.start({ dify: { ...dify2026Options(), mode: "agent" } });
    const remove = e.dify.intercept((r) => (r.path === "/v1/chat-messages" ? replies.json(400, "agent_not_published", "Agent is not published.") : undefined));
    const q = await e.mention({ text: "hello agent" });
    const [reply] = await e.waitForAnswer(q, /^⚠️ The assistant has no published version yet: publish the agent in Dify\.$/);
    expect(buttonsOf(reply!).map((b) => b.label)).toEqual(["Retry"]);
    remove();

    e.dify.onChat(() => [
      scripts.answer("x")[0]!,
      { kind: "event", payload: { event: "error", code: "model_currently_not_support", status: 400, message: "not supported" } },
    ]);
    const q2 = await e.mention({ text: "hello again" });
    await e.waitForAnswer(q2, /⚠️ The assistant's model is not available right now\./);
  });
});
