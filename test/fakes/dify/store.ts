import { randomUUID } from "node:crypto";

/**
 * What Dify keeps between requests, scoped like Dify scopes it: end users per `user` string, conversations and
 * messages owned by one end user, one feedback row per message, uploads. Plain maps: tests read them directly.
 */

export interface FakeConversation {
  readonly id: string;
  readonly user: string;
  name: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  updatedAt: number;
  readonly messageIds: string[];
  isDeleted: boolean;
  /** Anything but "normal" makes Dify refuse to continue it: 400 `conversation_completed` (docs/dify-2026.md §4). */
  status: "normal" | "completed";
}

interface FakeFeedback {
  rating: "like" | "dislike";
  content: string | null;
}

export interface FakeMessageFile {
  readonly id: string;
  readonly type: string;
  readonly url: string | null;
  readonly belongsTo: "user" | "assistant";
  readonly uploadFileId: string | null;
  readonly filename: string | null;
  readonly mimeType: string | null;
  readonly size: number;
  readonly transferMethod: string;
}

export interface FakeMessage {
  readonly id: string;
  readonly conversationId: string;
  readonly user: string;
  readonly taskId: string;
  readonly query: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  /** As stored: text deltas appended, `message_replace` applied, trimmed at the end of the turn. */
  answer: string;
  status: "normal" | "error" | "paused";
  error: string | null;
  readonly createdAt: number;
  readonly agentThoughts: Record<string, unknown>[];
  readonly files: FakeMessageFile[];
  retrieverResources: unknown[];
  feedback: FakeFeedback | null;
}

export interface FakeUpload {
  readonly id: string;
  readonly name: string;
  readonly extension: string;
  readonly mimeType: string;
  readonly size: number;
  readonly bytes: Uint8Array;
  /** The `user` form field, or Dify's shared "DEFAULT-USER" when absent. */
  readonly user: string;
  readonly createdBy: string;
  readonly createdAt: number;
}

/** A file served under `/files/...` (tool outputs, signed previews). */
export interface FakeServedFile {
  readonly bytes: Uint8Array;
  readonly mimeType: string;
  /** Omit Content-Length (chunked), as a proxy streaming a large file would. */
  readonly chunked: boolean;
  /**
   * Answer 302 to this location instead of the bytes, as Dify does when its storage hands out presigned
   * URLs (or a proxy in front of it redirects).
   */
  readonly redirectTo?: string | undefined;
}

export const DEFAULT_USER = "DEFAULT-USER";

export class FakeDifyStore {
  readonly endUsers = new Map<string, string>();
  readonly conversations = new Map<string, FakeConversation>();
  readonly messages = new Map<string, FakeMessage>();
  readonly uploads = new Map<string, FakeUpload>();
  readonly files = new Map<string, FakeServedFile>();

  /** The EndUser UUID for a `user` string, created on first use (exact, case-sensitive match). */
  endUserId(user: string): string {
    let id = this.endUsers.get(user);
    if (!id) {
      id = randomUUID();
      this.endUsers.set(user, id);
    }
    return id;
  }

  /** Dify's `get_conversation`: same end user, not deleted; anything else is "Conversation Not Exists.". */
  findConversation(id: string, user: string): FakeConversation | undefined {
    const c = this.conversations.get(id.toLowerCase());
    return c && !c.isDeleted && c.user === user ? c : undefined;
  }

  createConversation(user: string, query: string, inputs: Readonly<Record<string, unknown>>): FakeConversation {
    const now = nowSeconds();
    const conversation: FakeConversation = {
      id: randomUUID(),
      user,
      // Until Dify's background naming finishes, the name is the query's first 20 characters plus an ellipsis.
      name: query.length > 20 ? `${query.slice(0, 20)}…` : query,
      inputs,
      createdAt: now,
      updatedAt: now,
      messageIds: [],
      isDeleted: false,
      status: "normal",
    };
    this.endUserId(user);
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  createMessage(
    conversation: FakeConversation,
    fields: { taskId: string; query: string; inputs: Readonly<Record<string, unknown>>; files: FakeMessageFile[] },
  ): FakeMessage {
    const message: FakeMessage = {
      id: randomUUID(),
      conversationId: conversation.id,
      user: conversation.user,
      taskId: fields.taskId,
      query: fields.query,
      inputs: fields.inputs,
      answer: "",
      status: "normal",
      error: null,
      createdAt: nowSeconds(),
      agentThoughts: [],
      files: fields.files,
      retrieverResources: [],
      feedback: null,
    };
    this.messages.set(message.id, message);
    conversation.messageIds.push(message.id);
    conversation.updatedAt = message.createdAt;
    return message;
  }

  /** Undoes a turn that failed before its stream started (Dify validates before creating rows). */
  discardTurn(message: FakeMessage, conversationWasNew: boolean): void {
    this.messages.delete(message.id);
    const conversation = this.conversations.get(message.conversationId);
    if (!conversation) return;
    conversation.messageIds.splice(conversation.messageIds.indexOf(message.id), 1);
    if (conversationWasNew) this.conversations.delete(conversation.id);
  }

  /** Messages (feedback, suggested) are scoped to their end user like conversations. */
  findMessage(id: string, user: string): FakeMessage | undefined {
    const m = this.messages.get(id.toLowerCase());
    return m && m.user === user && !this.conversations.get(m.conversationId)?.isDeleted ? m : undefined;
  }

  /** GET /messages: the `limit` messages before `firstId` (or the newest), oldest first. */
  pageOfMessages(conversation: FakeConversation, firstId: string | undefined, limit: number): { data: FakeMessage[]; hasMore: boolean } | undefined {
    const ids = conversation.messageIds;
    let end = ids.length;
    if (firstId) {
      end = ids.indexOf(firstId.toLowerCase());
      if (end < 0) return undefined;
    }
    const start = Math.max(0, end - limit);
    return { data: ids.slice(start, end).map((id) => this.messages.get(id) as FakeMessage), hasMore: start > 0 };
  }
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
