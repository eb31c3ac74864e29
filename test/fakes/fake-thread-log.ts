import type { Author, MessageRef, ThreadHistoryMessage } from "../../src/contracts/messages.js";

/** A seeded entry (no id) or a message that passed through the fake (with the id it was delivered or posted under). */
export interface FakeThreadEntry extends ThreadHistoryMessage {
  readonly messageId?: string;
}

const FAKE_BOT: Author = { userId: "UBOT", displayName: "Bot" };

/**
 * What each thread of the in-memory platform holds, oldest first: entries a test seeds (`seeded.set(key, [...])`),
 * every user message delivered through it and every message the bot posted there. It answers history queries the
 * way the platforms do: only what came before the given message, the most recent `limit`, the bot's messages as
 * they read now (deleted ones gone).
 */
export class FakeThreadLog {
  /** By "<channelId>:<threadId>". */
  readonly seeded = new Map<string, FakeThreadEntry[]>();

  static key(place: { readonly channelId: string; readonly threadId?: string | undefined }): string {
    return `${place.channelId}:${place.threadId ?? ""}`;
  }

  recordUser(place: { channelId: string; threadId?: string }, messageId: string, author: Author, text: string): void {
    this.entries(place).push({ messageId, author, isBot: false, text });
  }

  recordBot(ref: MessageRef, text: string): void {
    this.entries(ref).push({ messageId: ref.messageId, author: FAKE_BOT, isBot: true, text });
  }

  read(
    place: { channelId: string; threadId?: string },
    opts: { beforeMessageId: string; limit: number },
    current: (messageId: string) => { text: string; deleted: boolean } | undefined,
  ): ThreadHistoryMessage[] {
    const all = this.seeded.get(FakeThreadLog.key(place)) ?? [];
    const end = all.findIndex((e) => e.messageId === opts.beforeMessageId);
    const before = end === -1 ? all : all.slice(0, end);
    const shown = before.flatMap((e): ThreadHistoryMessage[] => {
      const now = e.isBot && e.messageId !== undefined ? current(e.messageId) : undefined;
      if (now?.deleted) return [];
      return [{ author: e.author, isBot: e.isBot, text: now?.text ?? e.text }];
    });
    return opts.limit > 0 ? shown.slice(-opts.limit) : [];
  }

  private entries(place: { channelId: string; threadId?: string }): FakeThreadEntry[] {
    const key = FakeThreadLog.key(place);
    let list = this.seeded.get(key);
    if (!list) {
      list = [];
      this.seeded.set(key, list);
    }
    return list;
  }
}
