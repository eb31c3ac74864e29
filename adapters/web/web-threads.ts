import { randomUUID } from "node:crypto";
import { PlatformNotFoundError, PlatformRateLimitError, PlatformValidationError } from "../../src/contracts/errors.js";
import type { ActionButton, Citation } from "../../src/contracts/messages.js";
import { WEB_LIMITS } from "./limits.js";

export interface WebFile {
  readonly id: string;
  readonly name: string;
  readonly mimeType: string;
  readonly data: Uint8Array;
}

/** One message of a playground chat, as the page shows it. */
export interface WebMessage {
  readonly id: string;
  readonly threadId: string;
  readonly from: "bot" | "user";
  readonly userId: string;
  text: string;
  buttons: readonly ActionButton[];
  citations: readonly Citation[];
  files: readonly WebFile[];
  deleted: boolean;
  /** The post key ("<turnId>:<part>") a bot message was posted with: posting it again returns this message. */
  readonly key?: string;
  readonly at: number;
}

interface WebThread {
  readonly id: string;
  readonly messages: WebMessage[];
  /** Notices meant for one person only (Stop by someone who did not ask, slow down). */
  readonly notices: { readonly userId: string; readonly text: string; readonly at: number }[];
  typingUntil: number;
  /** Recent update times, for the per-chat rate limit. */
  readonly calls: number[];
  readonly listeners: Set<() => void>;
  lastUsed: number;
}

/** The page's view of a chat: what `userId` sees (their own notices only). */
export interface ThreadView {
  readonly threadId: string;
  readonly typing: boolean;
  readonly messages: readonly {
    readonly id: string;
    readonly from: "bot" | "user";
    readonly text: string;
    readonly buttons: readonly { readonly actionId: string; readonly label: string; readonly style?: string }[];
    readonly citations: readonly Citation[];
    readonly files: readonly { readonly id: string; readonly name: string; readonly mimeType: string; readonly size: number }[];
  }[];
  readonly notices: readonly string[];
}

const newId = () => randomUUID().replace(/-/g, "");

/**
 * The playground's "platform": its chats, kept in this process's memory. Bounded like a real platform (messages
 * per second per chat, message length, chats kept, bytes of files kept), and it refuses what a platform refuses:
 * an unknown or deleted message (not found), text over the limit (validation), too many updates (429).
 * Listeners hear about every change of a chat, so the page's event stream can push it.
 */
export class WebThreads {
  private readonly threads = new Map<string, WebThread>();
  private readonly messages = new Map<string, WebMessage>();
  private fileBytes = 0;

  createThread(): string {
    const id = newId();
    this.threads.set(id, { id, messages: [], notices: [], typingUntil: 0, calls: [], listeners: new Set(), lastUsed: Date.now() });
    this.evictOldThreads();
    return id;
  }

  has(threadId: string): boolean {
    return this.threads.has(threadId);
  }

  /** A person's message (from the page). */
  addUserMessage(threadId: string, userId: string, text: string, files: readonly Omit<WebFile, "id">[]): WebMessage {
    const thread = this.thread(threadId);
    const message = this.store(thread, { from: "user", userId, text, buttons: [], citations: [], files: files.map((f) => this.keepFile(f)) });
    return message;
  }

  /** A bot message; with `key`, a second post of the same key returns the first message. */
  post(
    threadId: string,
    content: { text: string; buttons: readonly ActionButton[]; citations: readonly Citation[]; files?: readonly Omit<WebFile, "id">[] },
    key?: string,
  ): WebMessage {
    const thread = this.thread(threadId);
    if (key !== undefined) {
      const existing = thread.messages.find((m) => m.key === key);
      if (existing) return existing;
    }
    this.checkText(content.text);
    this.spend(thread);
    return this.store(thread, { from: "bot", userId: "bot", ...content, files: (content.files ?? []).map((f) => this.keepFile(f)), ...(key ? { key } : {}) });
  }

  edit(messageId: string, content: { text: string; buttons: readonly ActionButton[]; citations: readonly Citation[] }): void {
    const message = this.botMessage(messageId);
    this.checkText(content.text);
    const thread = this.thread(message.threadId);
    this.spend(thread);
    message.text = content.text;
    message.buttons = content.buttons;
    message.citations = content.citations;
    this.changed(thread);
  }

  delete(messageId: string): void {
    const message = this.messages.get(messageId);
    if (!message || message.deleted) return;
    message.deleted = true;
    const thread = this.threads.get(message.threadId);
    if (thread) this.changed(thread);
  }

  notice(threadId: string, userId: string, text: string): void {
    const thread = this.thread(threadId);
    thread.notices.push({ userId, text, at: Date.now() });
    if (thread.notices.length > 20) thread.notices.shift();
    this.changed(thread);
  }

  typing(threadId: string): void {
    const thread = this.thread(threadId);
    thread.typingUntil = Date.now() + 10_000;
    this.changed(thread);
  }

  message(messageId: string): WebMessage | undefined {
    const m = this.messages.get(messageId);
    return m && !m.deleted ? m : undefined;
  }

  file(fileId: string): WebFile | undefined {
    for (const m of this.messages.values()) {
      const f = m.files.find((x) => x.id === fileId);
      if (f && !m.deleted) return f;
    }
    return undefined;
  }

  /** Every message of the chat that is not deleted, oldest first. */
  visible(threadId: string): readonly WebMessage[] {
    return this.thread(threadId).messages.filter((m) => !m.deleted);
  }

  view(threadId: string, viewer: string): ThreadView {
    const thread = this.thread(threadId);
    return {
      threadId,
      typing: thread.typingUntil > Date.now(),
      messages: this.visible(threadId).map((m) => ({
        id: m.id,
        from: m.from,
        text: m.text,
        buttons: m.buttons.map((b) => ({ actionId: b.actionId, label: b.label, ...(b.style ? { style: b.style } : {}) })),
        citations: m.citations,
        files: m.files.map((f) => ({ id: f.id, name: f.name, mimeType: f.mimeType, size: f.data.byteLength })),
      })),
      notices: thread.notices.filter((n) => n.userId === viewer).map((n) => n.text),
    };
  }

  /** Calls `listener` on every change of the chat; returns the unsubscribe function. */
  subscribe(threadId: string, listener: () => void): () => void {
    const thread = this.thread(threadId);
    thread.listeners.add(listener);
    return () => thread.listeners.delete(listener);
  }

  private thread(threadId: string): WebThread {
    const thread = this.threads.get(threadId);
    if (!thread) throw new PlatformNotFoundError("web", "no such playground chat (it may have been closed to make room)");
    thread.lastUsed = Date.now();
    return thread;
  }

  private botMessage(messageId: string): WebMessage {
    const message = this.messages.get(messageId);
    if (!message || message.deleted || message.from !== "bot") throw new PlatformNotFoundError("web", "message not found");
    return message;
  }

  private checkText(text: string): void {
    if (text.length > WEB_LIMITS.hardMessageChars)
      throw new PlatformValidationError("web", "too_long", `a message holds at most ${WEB_LIMITS.hardMessageChars} characters`);
  }

  /** The per-chat limit a browser can follow: past it the call is refused with how long to wait. */
  private spend(thread: WebThread): void {
    const now = Date.now();
    while (thread.calls.length > 0 && (thread.calls[0] as number) <= now - 1_000) thread.calls.shift();
    if (thread.calls.length >= WEB_LIMITS.updatesPerSecond) throw new PlatformRateLimitError("web", Math.max(1, (thread.calls[0] as number) + 1_000 - now));
    thread.calls.push(now);
  }

  private store(thread: WebThread, init: Omit<WebMessage, "id" | "threadId" | "deleted" | "at">): WebMessage {
    const message: WebMessage = { ...init, id: newId(), threadId: thread.id, deleted: false, at: Date.now() };
    thread.messages.push(message);
    this.messages.set(message.id, message);
    if (thread.messages.length > WEB_LIMITS.messagesPerThread) {
      const dropped = thread.messages.shift();
      if (dropped) this.forget(dropped);
    }
    this.changed(thread);
    return message;
  }

  private keepFile(file: Omit<WebFile, "id">): WebFile {
    this.fileBytes += file.data.byteLength;
    // Oldest chats go first when the files kept grow past the budget.
    while (this.fileBytes > WEB_LIMITS.keptFileBytes && this.threads.size > 1) this.dropOldestThread();
    return { ...file, id: newId() };
  }

  private evictOldThreads(): void {
    while (this.threads.size > WEB_LIMITS.threadsKept) this.dropOldestThread();
  }

  private dropOldestThread(): void {
    let oldest: WebThread | undefined;
    for (const t of this.threads.values()) if (!oldest || t.lastUsed < oldest.lastUsed) oldest = t;
    if (!oldest) return;
    for (const m of oldest.messages) this.forget(m);
    this.threads.delete(oldest.id);
  }

  private forget(message: WebMessage): void {
    this.messages.delete(message.id);
    for (const f of message.files) this.fileBytes -= f.data.byteLength;
  }

  private changed(thread: WebThread): void {
    for (const l of thread.listeners) l();
  }
}
