import type { Redis } from "ioredis";
import type { RedisKeyBuilder } from "./redis-keys.js";

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

  async getConversationId(conversationKey: string): Promise<string | null> {
    return this.redis.get(this.key("conv", conversationKey));
  }

  async setConversationId(conversationKey: string, conversationId: string): Promise<void> {
    await this.redis
      .multi()
      .set(this.key("conv", conversationKey), conversationId, "PX", this.ttlMs)
      .set(this.key("thread", conversationKey), "1", "PX", this.ttlMs)
      .exec();
  }

  /** Forget the Dify conversation (deleted in Dify, or the user asked to start fresh). */
  async clearConversationId(conversationKey: string): Promise<void> {
    await this.redis.del(this.key("conv", conversationKey));
  }

  async markThreadActive(conversationKey: string): Promise<void> {
    await this.redis.set(this.key("thread", conversationKey), "1", "PX", this.ttlMs);
  }

  async isThreadActive(conversationKey: string): Promise<boolean> {
    return (await this.redis.exists(this.key("thread", conversationKey))) === 1;
  }
}
