import type { APIMessage } from "discord.js";
import { describe, expect, it } from "vitest";
import { historyEntry } from "../../../../adapters/discord/thread-history.js";

const user = (id: string, username: string, extra: Record<string, unknown> = {}) => ({
  id,
  username,
  global_name: null,
  discriminator: "0",
  avatar: null,
  ...extra,
});

function apiMessage(patch: Partial<APIMessage>): APIMessage {
  return {
    id: "1",
    channel_id: "2",
    author: user("3", "alice", { global_name: "Alice" }),
    content: "",
    timestamp: "2025-03-01T00:00:00.000Z",
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
    ...patch,
  } as APIMessage;
}

describe("historyEntry", () => {
  it("keeps author, bot flag and readable text with @names for every mention", () => {
    const entry = historyEntry(
      apiMessage({ content: "<@9> what about <@4>?", mentions: [user("9", "DifyBot", { bot: true }), user("4", "bob", { global_name: "Bob" })] }),
    );
    expect(entry).toEqual({ author: { userId: "3", displayName: "Alice" }, isBot: false, text: "@DifyBot what about @Bob?" });
  });

  it("lists attachment names and marks bot authors", () => {
    const entry = historyEntry(
      apiMessage({ author: user("9", "DifyBot", { bot: true }), attachments: [{ id: "5", filename: "plan.pdf", size: 1, url: "u", proxy_url: "u" }] }),
    );
    expect(entry).toEqual({ author: { userId: "9", displayName: "DifyBot" }, isBot: true, text: "[attached: plan.pdf]" });
  });

  it("unwraps a thread starter message and skips system messages and empty ones", () => {
    const starter = apiMessage({ id: "0", content: "Release planning" });
    expect(historyEntry(apiMessage({ type: 21, referenced_message: starter }))?.text).toBe("Release planning");
    expect(historyEntry(apiMessage({ type: 7, content: "joined" }))).toBeNull();
    expect(historyEntry(apiMessage({ content: "" }))).toBeNull();
  });
});
