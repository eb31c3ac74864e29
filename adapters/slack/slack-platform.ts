import { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type {
  ChatPlatform,
  HttpRoute,
  InboundSink,
  NativeStreaming,
  PlatformCapabilities,
  PostedMessage,
  PostOptions,
} from "../../src/contracts/chat-platform.js";
import { PlatformError } from "../../src/contracts/errors.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { InboundAttachment, MessageContent, MessageRef, OutboundFile, ReplyTarget, ThreadHistoryMessage } from "../../src/contracts/messages.js";
import type { AdapterDeps } from "../shared/adapter-deps.js";
import { createSafeDownloader, type SafeDownloader } from "../shared/safe-downloader.js";
import { StartOnce } from "../shared/start-once.js";
import { SLACK_CAPABILITIES } from "./capabilities.js";
import type { SlackConfig } from "./config.js";
import { callSlack } from "./errors.js";
import { slackDownloadPolicy } from "./file-hosts.js";
import { uploadFiles } from "./file-upload.js";
import { createSlackHttpIngress, type SlackHttpIngress } from "./http-receiver.js";
import { fetchBotIdentity, type SlackBotIdentity } from "./identity.js";
import { registerSlackListeners } from "./listeners.js";
import { createSlackNativeStreaming } from "./native-streaming.js";
import { findSlackPostedMessages, postKeyMetadata } from "./post-keys.js";
import { renderMessage, toSdkBlocks } from "./render.js";
import { toSlackSdkLogger } from "./slack-logger.js";
import { AckAfterSinkSocketReceiver } from "./socket-receiver.js";
import { fetchSlackThreadHistory } from "./thread-history.js";
import { createUserDirectory, type UserDirectory, type UserDirectoryOptions } from "./user-directory.js";
import { createSlackWebClient } from "./web-client.js";

export interface SlackPlatformDeps extends AdapterDeps {
  readonly userDirectory?: UserDirectoryOptions;
}

/** The Slack adapter: Bolt for intake (HTTP Events API or Socket Mode), the Web API client for everything out. */
export class SlackPlatform implements ChatPlatform {
  readonly id = "slack" as const;
  readonly capabilities: PlatformCapabilities = SLACK_CAPABILITIES;
  readonly streaming?: NativeStreaming;

  private readonly logger: Logger;
  private readonly client: WebClient;
  private readonly users: UserDirectory;
  private readonly download: SafeDownloader;
  private identity: SlackBotIdentity | undefined;
  private app: App | undefined;
  private http: SlackHttpIngress | undefined;
  private socket: AckAfterSinkSocketReceiver | undefined;
  private isSocketConnected = false;
  private readonly starting = new StartOnce();
  private stopPromise: Promise<void> | undefined;
  private isStarted = false;

  constructor(
    private readonly config: SlackConfig,
    deps: SlackPlatformDeps,
  ) {
    this.logger = deps.logger.child({ platform: "slack" });
    this.client = createSlackWebClient(config, this.logger);
    this.users = createUserDirectory(this.client, this.logger, deps.userDirectory);
    this.download = createSafeDownloader(slackDownloadPolicy(config), deps.download);
    if (config.streaming !== "edit") {
      this.streaming = createSlackNativeStreaming(this.client, config.streaming, this.logger);
    }
  }

  /** POST /slack/events in HTTP mode once started with a sink; absent otherwise. */
  get httpRoutes(): readonly HttpRoute[] | undefined {
    return this.http ? [this.http.route] : undefined;
  }

  /** The bot's identity from auth.test; available after `start`. */
  get botIdentity(): SlackBotIdentity | undefined {
    return this.identity;
  }

  /**
   * Without a sink: the Web API only (worker role). With one: intake too, and in Socket Mode the promise settles
   * once the socket is connected. Concurrent calls share that one start (see `StartOnce`).
   */
  start(sink?: InboundSink): Promise<void> {
    return this.starting.run(() => this.doStart(sink));
  }

  private async doStart(sink?: InboundSink): Promise<void> {
    const identity = await fetchBotIdentity(this.client, this.logger);
    this.identity = identity;
    if (sink !== undefined) await this.startIntake(identity, sink);
    this.isStarted = true;
    this.logger.info(
      { transport: sink === undefined ? "none (worker)" : this.config.transport.kind, streaming: this.config.streaming },
      "Slack adapter started",
    );
  }

  private async startIntake(identity: SlackBotIdentity, sink: InboundSink): Promise<void> {
    const transport = this.config.transport;
    let receiver: SlackHttpIngress["receiver"] | AckAfterSinkSocketReceiver;
    if (transport.kind === "http") {
      this.http = createSlackHttpIngress(transport.signingSecret, this.logger);
      receiver = this.http.receiver;
    } else {
      this.socket = new AckAfterSinkSocketReceiver({
        appToken: transport.appToken,
        slackApiUrl: `${this.config.apiUrl}/`,
        logger: this.logger,
        onConnectionChange: (isConnected) => {
          this.isSocketConnected = isConnected;
        },
      });
      receiver = this.socket;
    }
    // botId + botUserId make Bolt skip its own auth.test; ignoreSelf is off because normalization filters bots
    // (and must see our own reactions); convoStore is off: no in-process conversation state.
    this.app = new App({
      token: this.config.botToken,
      receiver,
      botId: identity.botId,
      botUserId: identity.botUserId,
      ignoreSelf: false,
      convoStore: false,
      logger: toSlackSdkLogger(this.logger, "slack-bolt"),
      clientOptions: { slackApiUrl: `${this.config.apiUrl}/`, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
    });
    registerSlackListeners(this.app, {
      context: { botUserId: identity.botUserId, teamId: identity.teamId, allowedChannels: this.config.allowedChannels },
      sink,
      users: this.users,
      logger: this.logger,
    });
    if (this.socket) await this.socket.start();
  }

  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    this.isStarted = false;
    this.http?.close();
    if (this.socket) {
      try {
        await this.socket.stop();
      } catch (err) {
        this.logger.warn({ err }, "Slack Socket Mode disconnect failed");
      }
      this.isSocketConnected = false;
    }
    this.logger.info({}, "Slack adapter stopped");
  }

  isReady(): boolean {
    return this.isStarted && (this.socket === undefined || this.isSocketConnected);
  }

  async postMessage(target: ReplyTarget, content: MessageContent, opts: PostOptions = {}): Promise<MessageRef> {
    const payload = renderMessage(content);
    const res = await callSlack("chat.postMessage", () =>
      this.client.chat.postMessage({
        channel: target.channelId,
        ...(target.threadId !== undefined ? { thread_ts: target.threadId } : {}),
        text: payload.text,
        blocks: toSdkBlocks(payload.blocks),
        unfurl_links: false,
        unfurl_media: false,
        ...(opts.key ? { metadata: postKeyMetadata(opts.key) } : {}),
      }),
    );
    if (!res.ts) throw new PlatformError("slack", "chat.postMessage returned no ts");
    return {
      platform: "slack",
      workspaceId: target.workspaceId,
      channelId: res.channel ?? target.channelId,
      messageId: res.ts,
      ...(target.threadId !== undefined ? { threadId: target.threadId } : {}),
    };
  }

  findPostedMessages(target: ReplyTarget, turnId: string): Promise<readonly PostedMessage[]> {
    return findSlackPostedMessages(this.client, target, turnId, this.requireIdentity());
  }

  async editMessage(ref: MessageRef, content: MessageContent): Promise<void> {
    const payload = renderMessage(content);
    await callSlack("chat.update", () =>
      this.client.chat.update({ channel: ref.channelId, ts: ref.messageId, text: payload.text, blocks: toSdkBlocks(payload.blocks) }),
    );
  }

  /** Deleting a message that is already gone counts as done. */
  async deleteMessage(ref: MessageRef): Promise<void> {
    try {
      await callSlack("chat.delete", () => this.client.chat.delete({ channel: ref.channelId, ts: ref.messageId }));
    } catch (err) {
      if (err instanceof PlatformError && err.code === "PLATFORM_NOT_FOUND") return;
      throw err;
    }
  }

  async postEphemeral(target: ReplyTarget, userId: string, markdown: string): Promise<void> {
    const payload = renderMessage({ markdown });
    await callSlack("chat.postEphemeral", () =>
      this.client.chat.postEphemeral({
        channel: target.channelId,
        user: userId,
        ...(target.threadId !== undefined ? { thread_ts: target.threadId } : {}),
        text: payload.text,
        blocks: toSdkBlocks(payload.blocks),
      }),
    );
  }

  attachFiles(target: ReplyTarget, files: readonly OutboundFile[]): Promise<readonly MessageRef[]> {
    return uploadFiles(this.client, target, files, this.capabilities.maxUploadBytes);
  }

  downloadAttachment(att: InboundAttachment, opts: { signal: AbortSignal; maxBytes: number }): Promise<Uint8Array> {
    return this.download(att, opts);
  }

  async fetchThreadHistory(target: ReplyTarget, opts: { beforeMessageId: string; limit: number }): Promise<readonly ThreadHistoryMessage[]> {
    const identity = this.requireIdentity();
    return fetchSlackThreadHistory(this.client, target, opts, { botUserId: identity.botUserId, users: this.users });
  }

  private requireIdentity(): SlackBotIdentity {
    if (this.identity === undefined) throw new PlatformError("slack", "the Slack adapter is not started");
    return this.identity;
  }
}
