import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MessageRef } from "../../../src/contracts/messages.js";
import { forgetWorkspace } from "../../../src/installations/workspace-state.js";
import { ConversationStore } from "../../../src/state/conversation-store.js";
import { ReplyIndex } from "../../../src/state/reply-index.js";
import { captureLogger } from "../../support/capture-logger.js";
import { keysByPrefix, type TestRedis, testRedis } from "../../support/redis.js";

const ref = (workspaceId: string, messageId: string): MessageRef => ({ platform: "slack", workspaceId, channelId: "C1", messageId });

describe("forgetting a removed workspace", () => {
  let r: TestRedis;
  beforeEach(async () => {
    r = await testRedis();
  });
  afterEach(async () => r.cleanup());

  it("deletes the workspace's conversations, thread markers and feedback index, and nothing of another workspace", async () => {
    const conversations = new ConversationStore(r.redis, r.key, 60_000);
    const replies = new ReplyIndex(r.redis, r.key, 60_000);
    await conversations.setConversationId("slack:TA:C1:1.1", "conv-a");
    await conversations.setConversationId("slack:TB:C1:2.2", "conv-b");
    await replies.record([ref("TA", "1.2")], { difyMessageId: "m-a", difyUser: "u", conversationKey: "slack:TA:C1:1.1" });
    await replies.record([ref("TB", "2.3")], { difyMessageId: "m-b", difyUser: "u", conversationKey: "slack:TB:C1:2.2" });

    const deleted = await forgetWorkspace(r.redis, r.prefix, "slack", "TB", captureLogger([]));
    expect(deleted).toBe(3);
    expect(await conversations.getConversationId("slack:TB:C1:2.2")).toBeNull();
    expect(await conversations.isThreadActive("slack:TB:C1:2.2")).toBe(false);
    expect(await replies.lookup(ref("TB", "2.3"))).toBeNull();
    expect(await conversations.getConversationId("slack:TA:C1:1.1")).toBe("conv-a");
    expect(await replies.lookup(ref("TA", "1.2"))).toMatchObject({ difyMessageId: "m-a" });
    expect((await keysByPrefix(r.redis, r.prefix)).some((k) => k.includes("TB"))).toBe(false);
  });

  it("an answer indexed before the feedback index was keyed by workspace still finds its Dify message", async () => {
    await r.redis.set(r.key("reply", "slack:C1:9.9"), JSON.stringify({ difyMessageId: "m-old", difyUser: "u", conversationKey: "k" }), "PX", 60_000);
    expect(await new ReplyIndex(r.redis, r.key, 60_000).lookup(ref("TA", "9.9"))).toMatchObject({ difyMessageId: "m-old" });
  });
});
