import type { Redis } from "ioredis";
import type { MessageRef } from "../contracts/messages.js";
import type { RedisKeyBuilder } from "./redis-keys.js";

export interface IndexedReply {
  readonly difyMessageId: string;
  readonly difyUser: string;
  readonly conversationKey: string;
  /** The Dify app that owns the message (feedback goes there). Absent = the default app. */
  readonly app?: string;
}

type IndexedRef = Pick<MessageRef, "platform" | "workspaceId" | "channelId" | "messageId">;

/** Platform message → the Dify message it shows, so a reaction on any part of an answer reaches Dify. */
export class ReplyIndex {
  constructor(
    private readonly redis: Redis,
    private readonly key: RedisKeyBuilder,
    private readonly ttlMs: number,
  ) {}

  /** Keyed by workspace too, so removing a workspace finds its entries (see installations/workspace-state.ts). */
  private refKey(ref: IndexedRef): string {
    return this.key("reply", `${ref.platform}:${ref.workspaceId}:${ref.channelId}:${ref.messageId}`);
  }

  /** The key before workspaces were part of it: answers indexed by an older version still get their feedback. */
  private legacyKey(ref: IndexedRef): string {
    return this.key("reply", `${ref.platform}:${ref.channelId}:${ref.messageId}`);
  }

  async record(refs: readonly MessageRef[], reply: IndexedReply): Promise<void> {
    if (refs.length === 0) return;
    const value = JSON.stringify(reply);
    // Independent writes, not one MULTI: each message maps on its own, and under Redis Cluster the messages'
    // keys live in different slots.
    await Promise.all(refs.map((ref) => this.redis.set(this.refKey(ref), value, "PX", this.ttlMs)));
  }

  async lookup(ref: IndexedRef): Promise<IndexedReply | null> {
    const raw = (await this.redis.get(this.refKey(ref))) ?? (await this.redis.get(this.legacyKey(ref)));
    return raw ? (JSON.parse(raw) as IndexedReply) : null;
  }
}
