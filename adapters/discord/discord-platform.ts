import type { REST } from "discord.js";
import type {
  BudgetSignalListener,
  ChatPlatform,
  InboundSink,
  PlatformCapabilities,
  PlatformPresence,
  PostOptions,
} from "../../src/contracts/chat-platform.js";
import type { FormDialogSource } from "../../src/contracts/forms.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { InboundAttachment, MessageContent, MessageRef, OutboundFile, ReplyTarget, ThreadHistoryMessage } from "../../src/contracts/messages.js";
import type { AdapterDeps } from "../shared/adapter-deps.js";
import { createSafeDownloader, type SafeDownloader } from "../shared/safe-downloader.js";
import { StartOnce } from "../shared/start-once.js";
import { registerApplicationCommands } from "./application-commands.js";
import { DiscordBudgetSignals } from "./budget-signals.js";
import { discordCapabilities } from "./capabilities.js";
import type { DiscordConfig } from "./config.js";
import { RecentInteractions, sendEphemeralFollowUp } from "./ephemeral-notices.js";
import { discordErrorForLog } from "./errors.js";
import { discordDownloadPolicy } from "./file-hosts.js";
import { uploadFiles } from "./file-upload.js";
import { connectGateway, type GatewayConnection } from "./gateway-connection.js";
import { forwardInboundEvents } from "./inbound-events.js";
import { deleteInteractionReply, editInteractionReply, ephemeralFilesRefused, interactionPlace, postInteractionReply } from "./interaction-replies.js";
import { MessageOperations } from "./message-operations.js";
import { type DiscordRenderer, renderMessage } from "./render.js";
import { renderComponentsV2 } from "./render-v2.js";
import { createDiscordRest } from "./rest-client.js";
import { fetchThreadHistory } from "./thread-history.js";
import { ThreadStarter } from "./thread-starter.js";

export interface DiscordPlatformDeps extends AdapterDeps {
  /** Per REST request. @defaultValue 15_000 */
  readonly restTimeoutMs?: number;
  /** From login to every guild having arrived. @defaultValue 30_000 */
  readonly readyTimeoutMs?: number;
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
  readonly #deps: DiscordPlatformDeps;
  readonly #rest: REST;
  readonly #threads: ThreadStarter;
  readonly #messages: MessageOperations;
  readonly #render: DiscordRenderer;
  readonly #interactions = new RecentInteractions();
  readonly #budgetSignals = new DiscordBudgetSignals();
  readonly #download: SafeDownloader;
  readonly #start = new StartOnce();
  #started = false;
  #wantsGateway = false;
  #gateway: GatewayConnection | null = null;
  #unsubscribe: (() => void) | null = null;
  #stopping: Promise<void> | null = null;

  constructor(config: DiscordConfig, deps: DiscordPlatformDeps) {
    this.#config = config;
    this.#logger = deps.logger.child({ platform: "discord" });
    this.#deps = deps;
    this.capabilities = discordCapabilities(config.maxUploadBytes, config.componentsV2);
    this.#rest = createDiscordRest(config.botToken, this.#restSettings(), this.#logger);
    this.#threads = new ThreadStarter(this.#rest, this.#logger);
    this.#render = config.componentsV2 ? renderComponentsV2 : renderMessage;
    this.#messages = new MessageOperations(this.#rest, this.#threads, this.#logger, this.#render);
    this.#download = createSafeDownloader(discordDownloadPolicy(config), deps.download);
  }

  /**
   * Without a sink: REST only, no gateway. With a sink: logs in, and resolves once every guild arrived and
   * events are forwarded. Concurrent calls share that one start (see `StartOnce`).
   */
  start(sink?: InboundSink, forms?: FormDialogSource): Promise<void> {
    return this.#start.run(() => this.#connect(sink, forms));
  }

  async #connect(sink: InboundSink | undefined, forms?: FormDialogSource): Promise<void> {
    if (!sink) {
      this.#started = true;
      this.#logger.info({}, "discord ready for outbound calls (no gateway in this process)");
      return;
    }
    const gateway = await connectGateway(
      this.#config.botToken,
      { ...this.#restSettings(), readyTimeoutMs: this.#deps.readyTimeoutMs, sharding: this.#config.sharding },
      this.#logger,
    );
    if (this.#stopping !== null) {
      await gateway.client.destroy();
      return;
    }
    this.#gateway = gateway;
    const askAboutName = await registerApplicationCommands(gateway.client, this.#rest, this.#config, this.#logger);
    this.#unsubscribe = forwardInboundEvents(gateway.client, sink, this.#config, this.#logger, this.#interactions, askAboutName, forms);
    this.#wantsGateway = true;
    this.#started = true;
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

  onBudgetSignal(listener: BudgetSignalListener): void {
    this.#budgetSignals.listen(listener);
  }

  /** The servers the gateway reports the bot in (the shards this process runs). */
  async describe(): Promise<PlatformPresence> {
    const guilds = this.#gateway?.client.guilds.cache;
    const workspaces = guilds ? [...guilds.values()].map((g) => ({ id: g.id, name: g.name })).sort((a, b) => a.id.localeCompare(b.id)) : [];
    return { connected: this.isReady(), workspaces };
  }

  /** False when Discord refused the Message Content intent and the gateway runs without it. */
  get hasMessageContent(): boolean | null {
    return this.#gateway?.hasMessageContent ?? null;
  }

  postMessage(target: ReplyTarget, content: MessageContent, opts?: PostOptions): Promise<MessageRef> {
    const at = interactionPlace(target);
    if (at) return postInteractionReply(this.#rest, target, at, content, opts?.key?.part === 0, this.#render);
    return this.#messages.postMessage(target, content, opts);
  }

  editMessage(ref: MessageRef, content: MessageContent): Promise<void> {
    const at = interactionPlace(ref);
    if (at) return editInteractionReply(this.#rest, ref, at, content, this.#render);
    return this.#messages.editMessage(ref, content);
  }

  deleteMessage(ref: MessageRef): Promise<void> {
    const at = interactionPlace(ref);
    if (at) return deleteInteractionReply(this.#rest, ref, at);
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
    if (interactionPlace(target)?.ephemeral) return Promise.reject(ephemeralFilesRefused());
    return uploadFiles(this.#rest, this.#threads, target, files, this.capabilities.maxUploadBytes);
  }

  fetchThreadHistory(target: ReplyTarget, opts: { beforeMessageId: string; limit: number }): Promise<readonly ThreadHistoryMessage[]> {
    return fetchThreadHistory(this.#rest, target, opts);
  }

  downloadAttachment(att: InboundAttachment, opts: { signal: AbortSignal; maxBytes: number }): Promise<Uint8Array> {
    return this.#download(att, opts);
  }

  #restSettings() {
    return {
      apiUrl: this.#config.apiUrl,
      budgetSignals: this.#budgetSignals,
      ...(this.#deps.restTimeoutMs !== undefined && { timeoutMs: this.#deps.restTimeoutMs }),
    };
  }
}
