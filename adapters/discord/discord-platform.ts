import type { REST } from "discord.js";
import type { ChatPlatform, InboundSink, PlatformCapabilities } from "../../src/contracts/chat-platform.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { InboundAttachment, MessageContent, MessageRef, OutboundFile, ReplyTarget, ThreadHistoryMessage } from "../../src/contracts/messages.js";
import { discordCapabilities } from "./capabilities.js";
import type { DiscordConfig } from "./config.js";
import { downloadAttachment } from "./download.js";
import { RecentInteractions, sendEphemeralFollowUp } from "./ephemeral-notices.js";
import { discordErrorForLog } from "./errors.js";
import { attachFiles } from "./file-upload.js";
import { connectGateway, type GatewayConnection } from "./gateway-connection.js";
import { forwardInboundEvents } from "./inbound-events.js";
import { MessageOperations } from "./message-operations.js";
import { createDiscordRest } from "./rest-client.js";
import { fetchThreadHistory } from "./thread-history.js";
import { ThreadStarter } from "./thread-starter.js";

export interface DiscordPlatformOptions {
  /** Per REST request. @defaultValue 15_000 */
  readonly restTimeoutMs?: number;
  /** From login to every guild having arrived. @defaultValue 30_000 */
  readonly readyTimeoutMs?: number;
  /** Attachment host resolution (the private-address check). @defaultValue node:dns lookup */
  readonly resolveHost?: (host: string) => Promise<readonly string[]>;
}

/**
 * Discord as a `ChatPlatform`. Outbound operations use a standalone REST client, so they work in a worker
 * process that never opens the gateway, and keep working after `stop()` (shutdown finalizes answers after
 * intake has stopped). The gateway client exists only in the ingress role.
 */
export class DiscordPlatform implements ChatPlatform {
  readonly id = "discord" as const;
  readonly capabilities: PlatformCapabilities;

  readonly #config: DiscordConfig;
  readonly #logger: Logger;
  readonly #options: DiscordPlatformOptions;
  readonly #rest: REST;
  readonly #threads: ThreadStarter;
  readonly #messages: MessageOperations;
  readonly #interactions = new RecentInteractions();
  #started = false;
  #wantsGateway = false;
  #gateway: GatewayConnection | null = null;
  #unsubscribe: (() => void) | null = null;
  #stopping: Promise<void> | null = null;

  constructor(config: DiscordConfig, deps: { logger: Logger }, options: DiscordPlatformOptions = {}) {
    this.#config = config;
    this.#logger = deps.logger.child({ platform: "discord" });
    this.#options = options;
    this.capabilities = discordCapabilities(config.maxUploadBytes);
    this.#rest = createDiscordRest(config.botToken, this.#restSettings(), this.#logger);
    this.#threads = new ThreadStarter(this.#rest, this.#logger);
    this.#messages = new MessageOperations(this.#rest, this.#threads, this.#logger);
  }

  /** Without a sink: REST only, no gateway. With a sink: logs in and forwards events once every guild arrived. */
  async start(sink?: InboundSink): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    if (!sink) {
      this.#logger.info({}, "discord ready for outbound calls (no gateway in this process)");
      return;
    }
    this.#wantsGateway = true;
    let gateway: GatewayConnection;
    try {
      gateway = await connectGateway(
        this.#config.botToken,
        { ...this.#restSettings(), readyTimeoutMs: this.#options.readyTimeoutMs, sharding: this.#config.sharding },
        this.#logger,
      );
    } catch (err) {
      // Leave the platform startable again (the caller may retry after fixing the cause).
      this.#started = false;
      this.#wantsGateway = false;
      throw err;
    }
    if (this.#stopping !== null) {
      await gateway.client.destroy();
      return;
    }
    this.#gateway = gateway;
    this.#unsubscribe = forwardInboundEvents(gateway.client, sink, this.#config, this.#logger, this.#interactions);
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#unsubscribe?.();
      this.#unsubscribe = null;
      const client = this.#gateway?.client;
      this.#gateway = null;
      if (client) await client.destroy();
    })();
    return this.#stopping;
  }

  isReady(): boolean {
    if (!this.#started || this.#stopping !== null) return false;
    return !this.#wantsGateway || this.#gateway?.client.isReady() === true;
  }

  /** False when Discord refused the Message Content intent and the gateway runs without it. */
  get hasMessageContent(): boolean | null {
    return this.#gateway?.hasMessageContent ?? null;
  }

  postMessage(target: ReplyTarget, content: MessageContent): Promise<MessageRef> {
    return this.#messages.postMessage(target, content);
  }

  editMessage(ref: MessageRef, content: MessageContent): Promise<void> {
    return this.#messages.editMessage(ref, content);
  }

  deleteMessage(ref: MessageRef): Promise<void> {
    return this.#messages.deleteMessage(ref);
  }

  /**
   * Discord shows a message to one person only as a follow-up to something they did: the notice becomes an
   * ephemeral follow-up to their latest button click in this channel (for example a Stop that was not theirs).
   * Without such a click (a notice about a message, or after 14 minutes) it is posted like any other message,
   * which is what the core does for platforms without private notices.
   */
  async postEphemeral(target: ReplyTarget, userId: string, markdown: string): Promise<void> {
    const click = this.#interactions.find(target.channelId, userId);
    if (click) {
      try {
        await sendEphemeralFollowUp(this.#rest, click, markdown);
        return;
      } catch (err) {
        this.#logger.warn({ err: discordErrorForLog(err), channelId: target.channelId }, "ephemeral notice refused; posting it in the channel instead");
      }
    }
    await this.postMessage(target, { markdown });
  }

  sendTyping(target: ReplyTarget): Promise<void> {
    return this.#messages.sendTyping(target);
  }

  attachFiles(target: ReplyTarget, files: readonly OutboundFile[]): Promise<readonly MessageRef[]> {
    return attachFiles(this.#rest, this.#threads, target, files, this.capabilities.maxUploadBytes);
  }

  fetchThreadHistory(target: ReplyTarget, opts: { beforeMessageId: string; limit: number }): Promise<readonly ThreadHistoryMessage[]> {
    return fetchThreadHistory(this.#rest, target, opts);
  }

  downloadAttachment(att: InboundAttachment, opts: { signal: AbortSignal; maxBytes: number }): Promise<Uint8Array> {
    return downloadAttachment(att, opts, {
      trustedApiUrl: this.#config.apiUrl,
      ...(this.#options.resolveHost && { resolveHost: this.#options.resolveHost }),
    });
  }

  #restSettings() {
    return { apiUrl: this.#config.apiUrl, ...(this.#options.restTimeoutMs !== undefined && { timeoutMs: this.#options.restTimeoutMs }) };
  }
}
