import type { Redis } from "ioredis";
import type { RedisKeyBuilder } from "./redis-keys.js";
import { scanKeys } from "./redis-scan.js";

/** The app that answers when no routes file says otherwise; its records keep the plain format. */
const DEFAULT_APP = "default";

/** A thread's Dify conversation and the app it lives in: a conversation id means nothing to another app. */
export interface StoredConversation {
  readonly app: string;
  readonly id: string;
}

/**
 * Thread → Dify conversation, and whether a thread is one of the bot's conversations at all (set on the first
 * accepted message, before Dify has answered, so a quick follow-up without a mention still counts).
 */
export class ConversationStore {
  constructor(
    private readonly redis: Redis,
    private readonly key: RedisKeyBuilder,
    /** Sliding: every turn renews it. */
    private readonly ttlMs: number,
  ) {}

  /** The thread's conversation with whichever app answered it last. */
  async getConversation(conversationKey: string): Promise<StoredConversation | null> {
    const raw = await this.redis.get(this.key("conv", conversationKey));
    if (raw === null) return null;
    // The default app's records are the bare id, as before routes existed: an older process reads them as ever.
    if (!raw.startsWith("{")) return { app: DEFAULT_APP, id: raw };
    const parsed = JSON.parse(raw) as StoredConversation;
    return { app: parsed.app, id: parsed.id };
  }

  /** The conversation id to send to `app`: null when the thread has none, or has one with another app. */
  async getConversationId(conversationKey: string, app = DEFAULT_APP): Promise<string | null> {
    const stored = await this.getConversation(conversationKey);
    return stored?.app === app ? stored.id : null;
  }

  async setConversationId(conversationKey: string, conversationId: string, app = DEFAULT_APP): Promise<void> {
    const value = app === DEFAULT_APP ? conversationId : JSON.stringify({ app, id: conversationId });
    await this.redis
      .multi()
      .set(this.key("conv", conversationKey), value, "PX", this.ttlMs)
      .set(this.key("thread", conversationKey), "1", "PX", this.ttlMs)
      .del(this.key("fresh", conversationKey))
      .exec();
  }

  /** Forget the Dify conversation (deleted in Dify, or the user asked to start fresh). */
  async clearConversationId(conversationKey: string): Promise<void> {
    await this.redis.del(this.key("conv", conversationKey));
  }

  /**
   * Forget the Dify conversation of every thread whose conversation key starts with `keyPrefix` (a person's whole
   * DM with the bot), on their request. The threads stay the bot's: their next message is answered in a new
   * conversation that starts from nothing (`wasReset`: the thread so far is not sent as context either).
   * Returns how many were forgotten.
   */
  async clearConversationsUnder(keyPrefix: string): Promise<number> {
    const marker = "\u0000";
    const [before = "", after = ""] = this.key("conv", marker).split(marker);
    const glob = (s: string) => s.replace(/[*?[\]\\]/g, "\\$&");
    let cleared = 0;
    for (const key of await scanKeys(this.redis, `${glob(before)}${glob(keyPrefix)}*${glob(after)}`)) {
      const conversationKey = key.slice(before.length, key.length - after.length);
      await this.redis.set(this.key("fresh", conversationKey), "1", "PX", this.ttlMs);
      cleared += await this.redis.unlink(key);
    }
    return cleared;
  }

  /** The thread's conversation was reset on request and no new one has begun (see `clearConversationsUnder`). */
  async wasReset(conversationKey: string): Promise<boolean> {
    return (await this.redis.exists(this.key("fresh", conversationKey))) === 1;
  }

  async markThreadActive(conversationKey: string): Promise<void> {
    await this.redis.set(this.key("thread", conversationKey), "1", "PX", this.ttlMs);
  }

  async isThreadActive(conversationKey: string): Promise<boolean> {
    return (await this.redis.exists(this.key("thread", conversationKey))) === 1;
  }
}
