import type { Redis } from "ioredis";
import type { Citation, MessageRef, ReplyTarget } from "../contracts/messages.js";
import type { RedisKeyBuilder } from "./redis-keys.js";

/** A Dify file reference kept so "Retry" can ask the same question with the same files. */
export interface StoredFileRef {
  readonly type: "image" | "document" | "audio" | "video" | "custom";
  readonly uploadFileId: string;
}

/**
 * Everything about one answer that a later click may need, whichever process receives the click: who asked
 * (only they may stop it), the Dify ids (stop and feedback use the same `user`), the question (retry), and
 * where its suggestion buttons are (they go away when the next turn starts).
 */
export interface TurnRecord {
  readonly turnId: string;
  readonly conversationKey: string;
  readonly replyTarget: ReplyTarget;
  readonly askerUserId: string;
  readonly askerName: string;
  readonly difyUser: string;
  /** The Dify app that answered: stop, retry and suggested questions go to it. Absent = the default app. */
  readonly app?: string;
  readonly query?: string;
  readonly files?: readonly StoredFileRef[];
  readonly taskId?: string;
  readonly difyMessageId?: string;
  readonly suggestions?: readonly string[];
  /** The message carrying the suggestion buttons, and what it shows without them. */
  readonly buttonsMessage?: { readonly ref: MessageRef; readonly markdown: string; readonly citations?: readonly Citation[] };
  /** The answer is final on the platform: a second run of the job (one that lost its lock while alive) must not redo it. */
  readonly finished?: boolean;
}

export class TurnStore {
  constructor(
    private readonly redis: Redis,
    private readonly key: RedisKeyBuilder,
    private readonly ttlMs: number,
  ) {}

  async get(turnId: string): Promise<TurnRecord | null> {
    const raw = await this.redis.get(this.key("turn", turnId));
    return raw ? (JSON.parse(raw) as TurnRecord) : null;
  }

  /** Merges `patch` into the record (creating it), renewing the TTL. */
  async update(turnId: string, patch: Partial<TurnRecord> & Pick<TurnRecord, "turnId">): Promise<TurnRecord> {
    const current = await this.get(turnId);
    const next = { ...(current ?? {}), ...patch } as TurnRecord;
    await this.redis.set(this.key("turn", turnId), JSON.stringify(next), "PX", this.ttlMs);
    return next;
  }

  /** The turn whose message shows suggestion buttons in this conversation, if any; swapped atomically. */
  async swapSuggestionTurn(conversationKey: string, turnId: string | null): Promise<string | null> {
    const k = this.key("turn", `suggest:${conversationKey}`);
    if (turnId === null) return this.redis.getdel(k);
    return this.redis.set(k, turnId, "PX", this.ttlMs, "GET");
  }
}
