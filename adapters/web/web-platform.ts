import type { ChatPlatform, HttpRoute, InboundSink, PlatformCapabilities, PlatformPresence, PostOptions } from "../../src/contracts/chat-platform.js";
import { PlatformValidationError } from "../../src/contracts/errors.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { InboundAttachment, MessageContent, MessageRef, OutboundFile, ReplyTarget } from "../../src/contracts/messages.js";
import { StartOnce } from "../shared/start-once.js";
import { WEB_LIMITS } from "./limits.js";
import { playgroundRoutes } from "./playground-routes.js";
import { WebThreads } from "./web-threads.js";

/** Every playground chat is in this one "workspace": budgets are per chat (its channel). */
const WEB_WORKSPACE = "playground";

export interface WebPlatformDeps {
  readonly logger: Logger;
  /** The chats; tests pass one that refuses on purpose. @defaultValue a new in-memory store */
  readonly threads?: WebThreads;
}

const capabilities: PlatformCapabilities = {
  maxMessageLength: WEB_LIMITS.messageChars,
  maxButtonsPerMessage: WEB_LIMITS.maxButtons,
  maxUploadBytes: WEB_LIMITS.maxUploadBytes,
  minEditIntervalMs: 100,
  rateBudgets: (place) => {
    const chat = [{ key: `web:${place.channelId}`, limit: WEB_LIMITS.budgetPerSecond, windowMs: 1_000 }];
    return { post: chat, edit: chat, delete: chat };
  },
};

/** The message for the store, refused before any call when it is longer than a message may be. */
function text(c: MessageContent) {
  if (c.markdown.length > WEB_LIMITS.hardMessageChars)
    throw new PlatformValidationError("web", "too_long", `a message holds at most ${WEB_LIMITS.hardMessageChars} characters`);
  return { text: c.markdown, buttons: c.buttons ?? [], citations: c.citations ?? [] };
}

/**
 * The web playground as a `ChatPlatform`: a chat page on the bridge's own server (/console/playground, behind the
 * console's token) whose messages, buttons and reactions go through the same core as Slack and Discord. Each
 * chat is a thread (channel = thread = the chat's id), so it has its own Dify conversation. The chats live in
 * this process (`WebThreads`), which is why the playground needs BRIDGE_ROLE=all.
 */
export class WebPlatform implements ChatPlatform {
  readonly id = "web" as const;
  readonly capabilities = capabilities;
  readonly threads: WebThreads;
  private sink: InboundSink | undefined;
  private accepting = false;
  private readonly starting = new StartOnce();
  private routes: readonly HttpRoute[] = [];

  constructor(private readonly deps: WebPlatformDeps) {
    this.threads = deps.threads ?? new WebThreads();
  }

  get httpRoutes(): readonly HttpRoute[] {
    return this.routes;
  }

  start(sink?: InboundSink): Promise<void> {
    return this.starting.run(async () => {
      this.sink = sink;
      this.accepting = sink !== undefined;
      if (sink) this.routes = playgroundRoutes({ threads: this.threads, deliver: (event) => this.deliver(event), logger: this.deps.logger });
    });
  }

  async stop(): Promise<void> {
    this.accepting = false;
  }

  isReady(): boolean {
    return this.accepting;
  }

  async describe(): Promise<PlatformPresence> {
    return { connected: this.accepting, workspaces: [{ id: WEB_WORKSPACE, name: "web playground" }] };
  }

  async postMessage(target: ReplyTarget, content: MessageContent, opts: PostOptions = {}): Promise<MessageRef> {
    const key = opts.key ? `${opts.key.turnId}:${opts.key.part}` : undefined;
    const m = this.threads.post(target.channelId, text(content), key);
    return this.refOf(target.channelId, m.id);
  }

  async editMessage(ref: MessageRef, content: MessageContent): Promise<void> {
    this.threads.edit(ref.messageId, text(content));
  }

  async deleteMessage(ref: MessageRef): Promise<void> {
    this.threads.delete(ref.messageId);
  }

  async attachFiles(target: ReplyTarget, files: readonly OutboundFile[]): Promise<readonly MessageRef[]> {
    const tooBig = files.find((f) => f.data.byteLength > capabilities.maxUploadBytes);
    if (tooBig) throw new PlatformValidationError("web", "too_large", `${tooBig.name} is over ${capabilities.maxUploadBytes} bytes`);
    const m = this.threads.post(target.channelId, {
      text: "",
      buttons: [],
      citations: [],
      files: files.map((f) => ({ name: f.name, mimeType: f.mimeType, data: f.data })),
    });
    return [this.refOf(target.channelId, m.id)];
  }

  async downloadAttachment(att: InboundAttachment, opts: { signal: AbortSignal; maxBytes: number }): Promise<Uint8Array> {
    opts.signal.throwIfAborted();
    const file = this.threads.file(att.ref);
    if (!file) throw new PlatformValidationError("web", "not_a_file", "the uploaded file is no longer kept");
    if (file.data.byteLength > opts.maxBytes) throw new PlatformValidationError("web", "too_large", `the file is over ${opts.maxBytes} bytes`);
    return file.data;
  }

  async postEphemeral(target: ReplyTarget, userId: string, markdown: string): Promise<void> {
    this.threads.notice(target.channelId, userId, markdown);
  }

  async sendTyping(target: ReplyTarget): Promise<void> {
    this.threads.typing(target.channelId);
  }

  private refOf(threadId: string, messageId: string): MessageRef {
    return { platform: "web", workspaceId: WEB_WORKSPACE, channelId: threadId, threadId, messageId };
  }

  /** Hands a page event to the core; refused once intake stopped (the page shows the error and may retry). */
  private async deliver(event: Parameters<InboundSink>[0]): Promise<boolean> {
    if (!this.accepting || !this.sink) return false;
    await this.sink(event);
    return true;
  }
}
