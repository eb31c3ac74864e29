import { afterEach, describe, expect, it } from "vitest";
import { FakeDifyServer, replies, scripts, steps } from "../../fakes/dify/index.js";
import { type BridgeHarness, eventually, startBridge } from "../../support/bridge-harness.js";

const lastMessageText = (h: BridgeHarness, threadId: string) => {
  const messages = h.platform.visibleMessages({ channelId: "C1", threadId });
  const last = messages.at(-1);
  const streaming = last?.content.buttons?.some((b) => b.label === "Stop");
  return last && !streaming && !last.content.markdown.startsWith("_") ? last.content.markdown : undefined;
};

describe("failures end in a short, clear message in place of the placeholder", () => {
  let h: BridgeHarness;
  afterEach(async () => h?.close());

  it("an in-band Dify error keeps the text so far and ends with a ⚠️ line and a Retry button", async () => {
    h = await startBridge();
    h.dify.onChat(() => [
      ...scripts.answer("Partial answer", { chunkChars: 4 }).slice(0, -1),
      steps.error({ code: "completion_request_error", status: 400, message: "Incorrect API key provided" }),
    ]);
    const e = h.platform.message({ text: "Q" });
    await h.platform.emit(e);
    const id = e.kind === "message" ? e.message.messageId : "";
    const text = await eventually(() => lastMessageText(h, id));
    expect(text).toBe("Partial answer\n\n⚠️ The AI model returned an error while answering.");
    const last = h.platform.visibleMessages({ channelId: "C1", threadId: id }).at(-1);
    expect(last?.content.buttons?.map((b) => b.label)).toEqual(["Retry"]);
    // The provider's own message never reaches the user.
    expect(text).not.toContain("Incorrect API key");
  });

  it("EOF without message_end is a failure, shown as a cut-off answer", async () => {
    h = await startBridge();
    h.dify.onChat(() => [steps.message("Half of it"), steps.eof()]);
    const e = h.platform.message({ text: "Q" });
    await h.platform.emit(e);
    const id = e.kind === "message" ? e.message.messageId : "";
    expect(await eventually(() => lastMessageText(h, id))).toBe("Half of it\n\n⚠️ The answer was cut off: the connection to the assistant dropped.");
    // Dify had accepted the question: it is not asked a second time.
    expect(h.dify.chatRequests).toHaveLength(1);
  });

  it("Dify 5xx before answering is retried, then reported if it persists", async () => {
    h = await startBridge();
    h.dify.onChat(() => replies.serverError());
    const e = h.platform.message({ text: "Q" });
    await h.platform.emit(e);
    const id = e.kind === "message" ? e.message.messageId : "";
    expect(await eventually(() => lastMessageText(h, id), 20_000)).toBe("⚠️ The assistant ran into a server error. Please try again.");
    expect(h.dify.chatRequests.length).toBe(4);
  });

  it("Dify busy (concurrency limit) then fine: the retry succeeds and the user sees only the answer", async () => {
    h = await startBridge();
    h.dify.onChatOnce(
      () => replies.tooManyRequests(),
      (turn) => scripts.answer(`OK: ${turn.query}`),
    );
    const e = h.platform.message({ text: "Q" });
    await h.platform.emit(e);
    const id = e.kind === "message" ? e.message.messageId : "";
    expect(await eventually(() => lastMessageText(h, id), 15_000)).toBe("OK: Q");
  });

  it("Dify unreachable ends in a clear message (the app settings cannot be read either)", async () => {
    const dead = await FakeDifyServer.start();
    const url = dead.baseUrl;
    await dead.close();
    h = await startBridge({ env: { DIFY_API_URL: url } });
    const e = h.platform.message({ text: "Q" });
    await h.platform.emit(e);
    const id = e.kind === "message" ? e.message.messageId : "";
    expect(await eventually(() => lastMessageText(h, id), 20_000)).toBe("⚠️ The assistant cannot be reached right now. Please try again later.");
  });

  it("a stored conversation Dify no longer has (404) is forgotten and the question is asked once in a new one", async () => {
    h = await startBridge();
    h.dify.onChat((turn) => scripts.answer(`Fresh: ${turn.query}`));
    const e = h.platform.message({ text: "Still there?" });
    const msg = e.kind === "message" ? e.message : undefined;
    await h.redis.set(h.key("conv", msg?.conversationKey ?? ""), "7d1a2c3e-0000-4000-8000-000000000001", "PX", 60_000);
    await h.redis.set(h.key("thread", msg?.conversationKey ?? ""), "1", "PX", 60_000);
    await h.platform.emit(e);
    expect(await eventually(() => lastMessageText(h, msg?.messageId ?? ""))).toBe("Fresh: Still there?");
    expect(h.dify.chatRequests.map((r) => r.chat.conversation_id)).toEqual(["7d1a2c3e-0000-4000-8000-000000000001", ""]);
    expect(await h.redis.get(h.key("conv", msg?.conversationKey ?? ""))).toBe(h.dify.streams[0]?.conversationId);
  });

  it("a bad Dify key is reported without leaking anything", async () => {
    h = await startBridge({ env: { DIFY_API_KEY: "app-wrongkey0000000000" } });
    const e = h.platform.message({ text: "Q" });
    await h.platform.emit(e);
    const id = e.kind === "message" ? e.message.messageId : "";
    expect(await eventually(() => lastMessageText(h, id))).toBe("⚠️ The assistant is not available: its Dify API key or app access is misconfigured.");
    expect(JSON.stringify(h.logs)).not.toContain("app-wrongkey0000000000");
  });
});
