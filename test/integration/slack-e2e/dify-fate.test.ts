import { afterEach, describe, expect, it } from "vitest";
import { replies, scripts, steps } from "../../fakes/dify/index.js";
import { buttonsOf, SlackE2E } from "./slack-e2e-harness.js";

const NO_ANSWER_TEXT =
  "⚠️ The assistant may have received your question, but no answer reached me. I did not ask again (so it is not asked twice): use Retry to ask it again.";

/**
 * A question is never sent to Dify twice. Dify writes the conversation and message rows before it works on an
 * answer, so after a timeout before its response headers, or a 5xx, the question may well be in Dify: the bridge
 * looks for it (GET /conversations for a first question, GET /messages of the conversation otherwise) before it
 * asks again.
 */
describe("Slack end to end: a Dify failure whose outcome is unknown is looked up, not re-asked", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("a first question whose response headers never arrive is found in a conversation Dify created and its stored answer is shown; Dify was asked once, and the thread goes on in that conversation", async () => {
    // Header timeout 1 s; Dify's pings (which would send the headers) come later than that.
    e = await SlackE2E.start({ env: { DIFY_IDLE_TIMEOUT_MS: "1000" }, dify: { pingIntervalMs: 60_000 } });
    e.dify.onChatOnce(() => [steps.storedUnsent("Lunch is at noon."), steps.delay(30_000)]);
    const q = await e.mention({ text: "When is lunch?" });

    const [reply] = await e.waitForAnswer(q, "Lunch is at noon.", 20_000);
    expect(e.dify.chatRequests.map((r) => r.chat.query)).toEqual(["When is lunch?"]);
    expect(e.dify.streams[0]?.endReason).toBe("client-closed");
    // The look-up: the user's conversations newest first, then that conversation's messages.
    const lookups = e.dify.requests.filter((r) => r.method === "GET" && (r.path === "/v1/conversations" || r.path === "/v1/messages"));
    expect(lookups[0]).toMatchObject({ path: "/v1/conversations" });
    expect(lookups[0]?.query.user).toBe(q.conversationKey);
    expect(lookups[0]?.query.sort_by).toBe("-created_at");
    expect(lookups.some((r) => r.path === "/v1/messages" && r.query.conversation_id === e.dify.streams[0]?.conversationId)).toBe(true);
    expect(buttonsOf(reply!).map((b) => b.label)).not.toContain("Retry");

    // The follow-up continues the conversation Dify created for the first question.
    e.dify.onChatOnce((turn) => scripts.answer(`Follow-up in ${turn.isNewConversation ? "a new" : "the same"} conversation.`));
    await e.threadReply(q, { text: "And dinner?" });
    await e.waitForAnswer(q, "Lunch is at noon.\n\nFollow-up in the same conversation.");
    expect(e.dify.chatRequests.map((r) => [r.chat.query, r.chat.conversation_id])).toEqual([
      ["When is lunch?", ""],
      ["And dinner?", e.dify.streams[0]?.conversationId],
    ]);
  }, 40_000);

  it("a 500 after Dify stored the question (no answer) is not re-asked: the person is told, with Retry", async () => {
    e = await SlackE2E.start();
    e.dify.onChatOnce((turn) => scripts.answer(`A: ${turn.query}`));
    const q = await e.mention({ text: "First" });
    await e.waitForAnswer(q, "A: First");

    e.dify.onChatOnce(() => replies.serverErrorAfterStoring());
    await e.threadReply(q, { text: "Second" });
    const replied = await e.waitForAnswer(q, `A: First\n\n${NO_ANSWER_TEXT}`, 25_000);
    expect(buttonsOf(replied[1]!).map((b) => b.label)).toEqual(["Retry"]);
    // Asked once; Dify keeps the question, once.
    expect(e.dify.chatRequests.map((r) => r.chat.query)).toEqual(["First", "Second"]);
    const conversation = e.dify.store.conversations.get(e.dify.streams[0]?.conversationId ?? "");
    expect(conversation?.messageIds.map((id) => e.dify.store.messages.get(id)?.query)).toEqual(["First", "Second"]);
    const lookups = e.dify.requests.filter((r) => r.method === "GET" && r.path === "/v1/messages");
    expect(lookups.length).toBeGreaterThanOrEqual(1);
    expect(lookups.every((r) => r.query.conversation_id === conversation?.id && r.query.user === q.conversationKey)).toBe(true);
  }, 40_000);

  it("when the look-up itself fails, the question is not asked again: the person is told, with Retry", async () => {
    e = await SlackE2E.start({ env: { DIFY_IDLE_TIMEOUT_MS: "1000" }, dify: { pingIntervalMs: 60_000 } });
    e.dify.onChatOnce(() => [steps.storedUnsent("Never shown."), steps.delay(30_000)]);
    e.dify.intercept((r) => (r.path === "/v1/conversations" ? replies.nginx(502) : undefined));
    const q = await e.mention({ text: "Hello?" });
    const [reply] = await e.waitForAnswer(q, NO_ANSWER_TEXT, 20_000);
    expect(buttonsOf(reply!).map((b) => b.label)).toEqual(["Retry"]);
    expect(e.dify.chatRequests).toHaveLength(1);
    // Tried a few times before giving up.
    expect(e.dify.requests.filter((r) => r.path === "/v1/conversations").length).toBeGreaterThanOrEqual(2);
  }, 40_000);

  it("a 502 from the proxy in front of Dify, with nothing stored, is asked again after the look-up finds nothing, and answered once", async () => {
    e = await SlackE2E.start();
    e.dify.onChatOnce(
      () => replies.nginx(502),
      (turn) => scripts.answer(`A: ${turn.query}`),
    );
    const q = await e.mention({ text: "Are you there?" });
    await e.waitForAnswer(q, "A: Are you there?", 20_000);
    expect(e.dify.chatRequests.map((r) => r.status)).toEqual([502, 200]);
    expect(e.dify.requests.some((r) => r.path === "/v1/conversations")).toBe(true);
    expect([...e.dify.store.messages.values()].map((m) => m.query)).toEqual(["Are you there?"]);
  }, 40_000);

  it("the app's concurrency refusal (429) is asked again without a look-up (Dify wrote nothing)", async () => {
    e = await SlackE2E.start();
    e.dify.onChatOnce(
      () => replies.tooManyRequests(),
      (turn) => scripts.answer(`A: ${turn.query}`),
    );
    const q = await e.mention({ text: "Busy?" });
    await e.waitForAnswer(q, "A: Busy?", 20_000);
    expect(e.dify.chatRequests.map((r) => r.status)).toEqual([429, 200]);
    expect(e.dify.requests.some((r) => r.path === "/v1/conversations" || r.path === "/v1/messages")).toBe(false);
  }, 40_000);
});
