import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type {
  ChatPlatform,
  InboundEvent,
  InboundSink,
  NativeStreaming,
  PlatformCapabilities,
  RateBudget,
  RateBudgets,
  RateOp,
} from "../../src/contracts/chat-platform.js";
import { PlatformError, PlatformNotFoundError, PlatformRateLimitError, PlatformValidationError } from "../../src/contracts/errors.js";
import type {
  Author,
  InboundAttachment,
  InboundMessage,
  MessageContent,
  MessageRef,
  OutboundFile,
  PlatformId,
  ReplyTarget,
  ThreadHistoryMessage,
} from "../../src/contracts/messages.js";
import type { Reaction } from "../../src/contracts/reactions.js";
import { FakeThreadLog } from "./fake-thread-log.js";

/** One call the bridge made, as data. `at` is `performance.timeOrigin + performance.now()` when the call arrived. */
export interface FakeOp {
  readonly op: "post" | "edit" | "delete" | "attach" | "ephemeral" | "typing" | "streamStart" | "streamAppend" | "streamStop";
  readonly at: number;
  readonly ref?: MessageRef;
  readonly target?: ReplyTarget;
  readonly content?: MessageContent;
  readonly text?: string;
  readonly files?: readonly { name: string; mimeType: string; bytes: number }[];
  /** The call was refused with a 429. */
  readonly rateLimited?: boolean;
}

/** A message as the user would see it now. */
export interface FakeMessage {
  readonly ref: MessageRef;
  content: MessageContent;
  deleted: boolean;
  /** While natively streaming: the text so far. */
  streaming: boolean;
  readonly history: MessageContent[];
  /** Files the message carries (attachFiles). */
  readonly files: readonly OutboundFile[];
}

export interface FakePlatformOptions {
  readonly id?: PlatformId;
  readonly maxMessageLength?: number;
  readonly maxButtonsPerMessage?: number;
  readonly minEditIntervalMs?: number;
  /** Budgets the platform enforces (429 past them) and advertises. Default: generous. */
  readonly budgets?: (place: { workspaceId: string; channelId: string }) => RateBudgets;
  /** Added to every call, to look like a network. */
  readonly latencyMs?: number;
  /** Offer append-only streaming. */
  readonly nativeStreaming?: "auto" | "native";
}

const now = () => performance.timeOrigin + performance.now();

/**
 * An in-memory chat platform implementing the port: it keeps every message's current content and history,
 * records every call as data, and enforces the budgets it advertises (answering 429 past them), so tests
 * assert what a user would see and whether the bridge ever exceeded a limit.
 */
export class FakePlatform implements ChatPlatform {
  readonly id: PlatformId;
  readonly capabilities: PlatformCapabilities;
  readonly streaming?: NativeStreaming;
  readonly ops: FakeOp[] = [];
  readonly messages = new Map<string, FakeMessage>();
  readonly ephemerals: Array<{ userId: string; text: string; target: ReplyTarget }> = [];
  readonly attachments = new Map<string, Uint8Array>();
  private readonly threads = new FakeThreadLog();
  /** Thread contents by "<channelId>:<threadId>": seed entries here; delivered and posted messages are added. */
  readonly history = this.threads.seeded;
  /** 429s answered because the bridge exceeded a budget (not injected ones). */
  budgetViolations = 0;
  private sink: InboundSink | undefined;
  private started = false;
  private seq = 0;
  private readonly windows = new Map<string, number[]>();
  /** Continuous budgets: when each bucket is full again (GCRA's arrival time). */
  private readonly bucketFullAt = new Map<string, number>();
  private readonly injected: Array<{ op: FakeOp["op"]; error: Error }> = [];

  constructor(private readonly o: FakePlatformOptions = {}) {
    this.id = o.id ?? "slack";
    const budgets = o.budgets ?? (() => ({}));
    this.capabilities = {
      maxMessageLength: o.maxMessageLength ?? 4_000,
      maxButtonsPerMessage: o.maxButtonsPerMessage ?? 5,
      maxUploadBytes: 10 * 1024 * 1024,
      minEditIntervalMs: o.minEditIntervalMs ?? 50,
      rateBudgets: budgets,
    };
    if (o.nativeStreaming) {
      const mode = o.nativeStreaming;
      this.streaming = {
        mode,
        start: (target, markdown) => this.nativeStart(target, markdown),
        append: (ref, delta) => this.nativeAppend(ref, delta),
        stop: (ref, final, opts) => this.nativeStop(ref, final.content, opts.placeholder),
      };
    }
  }

  async start(sink?: InboundSink): Promise<void> {
    this.sink = sink;
    this.started = true;
  }

  async stop(): Promise<void> {
    this.sink = undefined;
    this.started = false;
  }

  isReady(): boolean {
    return this.started;
  }

  /** Delivers an event the way an adapter would; resolves when the bridge accepted it. */
  async emit(event: InboundEvent): Promise<void> {
    if (!this.sink) throw new Error("platform has no sink (not started in an ingress role)");
    if (event.kind === "message") {
      const m = event.message;
      this.threads.recordUser(m.replyTarget, m.messageId, m.author, m.text);
    }
    await this.sink(event);
  }

  /** The next call of `op` fails with `error` (e.g. a PlatformRateLimitError). */
  failNext(op: FakeOp["op"], error: Error): void {
    this.injected.push({ op, error });
  }

  // ---- port: outbound ----

  // Like the real adapters, content over the limit is refused before the call (and spends no budget).
  async postMessage(target: ReplyTarget, content: MessageContent): Promise<MessageRef> {
    this.check(content);
    await this.call("post", "post", target, { target, content });
    const ref: MessageRef = {
      platform: this.id,
      workspaceId: target.workspaceId,
      channelId: target.channelId,
      messageId: `m${++this.seq}`,
      ...(target.threadId ? { threadId: target.threadId } : {}),
    };
    this.messages.set(ref.messageId, { ref, content, deleted: false, streaming: false, history: [content], files: [] });
    this.threads.recordBot(ref, content.markdown);
    this.patchLastOp({ ref });
    return ref;
  }

  async editMessage(ref: MessageRef, content: MessageContent): Promise<void> {
    this.check(content);
    await this.call("edit", "edit", ref, { ref, content });
    const m = this.messages.get(ref.messageId);
    if (!m || m.deleted) throw new PlatformNotFoundError(this.id, "message not found");
    if (m.streaming) throw new PlatformError(this.id, "streaming_state_conflict");
    m.content = content;
    m.history.push(content);
  }

  async deleteMessage(ref: MessageRef): Promise<void> {
    await this.call("delete", "delete", ref, { ref });
    const m = this.messages.get(ref.messageId);
    if (m) m.deleted = true;
  }

  async attachFiles(target: ReplyTarget, files: readonly OutboundFile[]): Promise<readonly MessageRef[]> {
    // Like the real adapters: a file over the limit is refused before anything is sent.
    const tooBig = files.find((f) => f.data.byteLength > this.capabilities.maxUploadBytes);
    if (tooBig) throw new PlatformValidationError(this.id, "too_large", `${tooBig.name} is larger than ${this.capabilities.maxUploadBytes} bytes`);
    await this.call("attach", "post", target, { target, files: files.map((f) => ({ name: f.name, mimeType: f.mimeType, bytes: f.data.byteLength })) });
    const ref: MessageRef = {
      platform: this.id,
      workspaceId: target.workspaceId,
      channelId: target.channelId,
      messageId: `m${++this.seq}`,
      ...(target.threadId ? { threadId: target.threadId } : {}),
    };
    this.messages.set(ref.messageId, {
      ref,
      content: { markdown: files.map((f) => `[file] ${f.name}`).join("\n") },
      deleted: false,
      streaming: false,
      history: [],
      files: files.map((f) => ({ ...f, data: f.data.slice() })),
    });
    return [ref];
  }

  async downloadAttachment(att: InboundAttachment, opts: { signal: AbortSignal; maxBytes: number }): Promise<Uint8Array> {
    const data = this.attachments.get(att.ref);
    if (!data) throw new PlatformNotFoundError(this.id, "no such file");
    if (data.byteLength > opts.maxBytes) throw new PlatformValidationError(this.id, "too_large", "file too large");
    return data;
  }

  async postEphemeral(target: ReplyTarget, userId: string, markdown: string): Promise<void> {
    await this.call("ephemeral", undefined, target, { target, text: markdown });
    this.ephemerals.push({ userId, text: markdown, target });
  }

  async sendTyping(target: ReplyTarget): Promise<void> {
    this.ops.push({ op: "typing", at: now(), target });
  }

  async fetchThreadHistory(target: ReplyTarget, opts: { beforeMessageId: string; limit: number }): Promise<readonly ThreadHistoryMessage[]> {
    return this.threads.read(target, opts, (id) => {
      const m = this.messages.get(id);
      return m && { text: m.content.markdown, deleted: m.deleted };
    });
  }

  // ---- native streaming ----

  private async nativeStart(target: ReplyTarget, markdown: string): Promise<MessageRef> {
    await this.call("streamStart", "streamStart", target, { target, text: markdown });
    const ref: MessageRef = {
      platform: this.id,
      workspaceId: target.workspaceId,
      channelId: target.channelId,
      messageId: `m${++this.seq}`,
      ...(target.threadId ? { threadId: target.threadId } : {}),
    };
    this.messages.set(ref.messageId, { ref, content: { markdown }, deleted: false, streaming: true, history: [{ markdown }], files: [] });
    this.threads.recordBot(ref, markdown);
    this.patchLastOp({ ref });
    return ref;
  }

  private async nativeAppend(ref: MessageRef, delta: string): Promise<void> {
    await this.call("streamAppend", "streamAppend", ref, { ref, text: delta });
    const m = this.messages.get(ref.messageId);
    if (!m?.streaming) throw new PlatformError(this.id, "message_not_in_streaming_state");
    m.content = { markdown: m.content.markdown + delta };
    m.history.push(m.content);
  }

  private async nativeStop(ref: MessageRef, content: MessageContent, placeholder: MessageRef | undefined): Promise<void> {
    await this.call("streamStop", "streamStop", ref, { ref, content });
    const m = this.messages.get(ref.messageId);
    if (!m?.streaming) throw new PlatformError(this.id, "message_not_in_streaming_state");
    m.streaming = false;
    m.content = content;
    m.history.push(content);
    const p = placeholder ? this.messages.get(placeholder.messageId) : undefined;
    if (p && placeholder?.messageId !== ref.messageId) p.deleted = true;
  }

  // ---- inspection ----

  /** Messages in a place (channel, or channel + thread), in posting order, without deleted ones. */
  visibleMessages(place: { channelId: string; threadId?: string }): FakeMessage[] {
    return [...this.messages.values()].filter(
      (m) => !m.deleted && m.ref.channelId === place.channelId && (place.threadId === undefined || m.ref.threadId === place.threadId),
    );
  }

  /** The whole reply text as a user reads it: the messages' Markdown joined. */
  visibleText(place: { channelId: string; threadId?: string }): string {
    return this.visibleMessages(place)
      .map((m) => m.content.markdown)
      .join("\n\n");
  }

  opsOf(kind: FakeOp["op"]): FakeOp[] {
    return this.ops.filter((o) => o.op === kind && !o.rateLimited);
  }

  // ---- builders for inbound events ----

  message(opts: {
    text: string;
    user?: Author;
    workspaceId?: string;
    channelId?: string;
    threadId?: string;
    messageId?: string;
    mentionsBot?: boolean;
    mentionsOthers?: boolean;
    isDirectMessage?: boolean;
    inExistingThread?: boolean;
    attachments?: InboundAttachment[];
  }): InboundEvent {
    const messageId = opts.messageId ?? `in${randomUUID().slice(0, 8)}`;
    const ws = opts.workspaceId ?? "W1";
    const ch = opts.channelId ?? "C1";
    const thread = opts.threadId ?? messageId;
    const message: InboundMessage = {
      platform: this.id,
      messageId,
      dedupeKey: `${this.id}-${ws}-${ch}-${messageId}`,
      conversationKey: `${this.id}:${ws}:${ch}:${thread}`,
      replyTarget: { platform: this.id, workspaceId: ws, channelId: ch, threadId: thread },
      author: opts.user ?? { userId: "U1", displayName: "Ana" },
      text: opts.text,
      isDirectMessage: opts.isDirectMessage ?? false,
      mentionsBot: opts.mentionsBot ?? true,
      mentionsOthers: opts.mentionsOthers ?? false,
      inExistingThread: opts.inExistingThread ?? false,
      attachments: opts.attachments ?? [],
      receivedAt: new Date().toISOString(),
    };
    return { kind: "message", message };
  }

  reaction(ref: MessageRef, opts: { userId: string; reaction: Reaction | null; added: boolean; isBot?: boolean; at?: number }): InboundEvent {
    return {
      kind: "reaction",
      reaction: {
        platform: this.id,
        messageRef: ref,
        userId: opts.userId,
        isBot: opts.isBot ?? false,
        added: opts.added,
        reaction: opts.reaction,
        rawEmoji: opts.reaction ?? "smile",
        occurredAt: new Date(opts.at ?? Date.now()).toISOString(),
      },
    };
  }

  click(ref: MessageRef, actionId: string, user: Author, conversationKey: string, target: ReplyTarget): InboundEvent {
    return {
      kind: "action",
      action: {
        platform: this.id,
        actionId,
        user,
        messageRef: ref,
        conversationKey,
        replyTarget: target,
        dedupeKey: `click-${randomUUID()}`,
        receivedAt: new Date().toISOString(),
      },
    };
  }

  // ---- internals ----

  private check(content: MessageContent): void {
    if (content.markdown.length > this.capabilities.maxMessageLength) {
      throw new PlatformValidationError(this.id, "too_long", `message of ${content.markdown.length} characters`);
    }
  }

  private patchLastOp(patch: Partial<FakeOp>): void {
    const last = this.ops[this.ops.length - 1];
    if (last) this.ops[this.ops.length - 1] = { ...last, ...patch };
  }

  private async call(op: FakeOp["op"], rateOp: RateOp | undefined, place: { workspaceId: string; channelId: string }, data: Partial<FakeOp>): Promise<void> {
    const at = now();
    if (this.o.latencyMs) await sleep(this.o.latencyMs);
    const i = this.injected.findIndex((x) => x.op === op);
    if (i !== -1) {
      const { error } = this.injected.splice(i, 1)[0] as { error: Error };
      this.ops.push({ op, at, ...data, rateLimited: error instanceof PlatformRateLimitError });
      throw error;
    }
    const budgets: readonly RateBudget[] = rateOp ? (this.capabilities.rateBudgets(place)[rateOp] ?? []) : [];
    for (const b of budgets) {
      const waitMs = this.budgetWaitMs(b, at);
      if (waitMs > 0) {
        this.budgetViolations++;
        this.ops.push({ op, at, ...data, rateLimited: true });
        throw new PlatformRateLimitError(this.id, Math.ceil(waitMs));
      }
    }
    for (const b of budgets) this.spend(b, at);
    this.ops.push({ op, at, ...data });
  }

  /**
   * Spends `count` calls of a budget the platform advertises, as traffic the bridge did not make would (another
   * app's calls do not count on Slack, but earlier answers of this one do: tests use it for "budget half used").
   */
  spendBudget(budget: RateBudget, count: number): void {
    for (let i = 0; i < count; i++) this.spend(budget, now());
  }

  /** How long until `b` has room (0: now). Window budgets: a sliding window; continuous ones: a refilling bucket. */
  private budgetWaitMs(b: RateBudget, at: number): number {
    if (b.refill === "continuous") {
      const interval = b.windowMs / b.limit;
      const tat = Math.max(this.bucketFullAt.get(b.key) ?? 0, at);
      return Math.max(0, tat - at + interval - b.limit * interval);
    }
    const log = (this.windows.get(b.key) ?? []).filter((t) => t > at - b.windowMs);
    this.windows.set(b.key, log);
    return log.length >= b.limit ? (log[0] as number) + b.windowMs - at : 0;
  }

  private spend(b: RateBudget, at: number): void {
    if (b.refill === "continuous") {
      this.bucketFullAt.set(b.key, Math.max(this.bucketFullAt.get(b.key) ?? 0, at) + b.windowMs / b.limit);
      return;
    }
    const log = (this.windows.get(b.key) ?? []).filter((t) => t > at - b.windowMs);
    log.push(at);
    this.windows.set(b.key, log);
  }
}
