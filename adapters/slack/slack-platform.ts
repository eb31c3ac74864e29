import { App, type Authorize, type Context } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type {
  AppHome,
  AssistantSurface,
  ChatPlatform,
  HttpRoute,
  InboundSink,
  NativeStreaming,
  PlatformCapabilities,
  PlatformPresence,
  PostedMessage,
  PostOptions,
} from "../../src/contracts/chat-platform.js";
import { PlatformError } from "../../src/contracts/errors.js";
import type { FormDialogSource } from "../../src/contracts/forms.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { InboundAttachment, MessageContent, MessageRef, OutboundFile, ReplyTarget, ThreadHistoryMessage } from "../../src/contracts/messages.js";
import type { ThreadLog } from "../../src/contracts/thread-log.js";
import type { AdapterDeps } from "../shared/adapter-deps.js";
import { createSafeDownloader, type SafeDownloader } from "../shared/safe-downloader.js";
import { StartOnce } from "../shared/start-once.js";
import { createSlackAssistantSurface } from "./assistant-surface.js";
import { SLACK_CAPABILITIES } from "./capabilities.js";
import { registerSlackCommands } from "./commands.js";
import type { SlackConfig } from "./config.js";
import { callSlack } from "./errors.js";
import { feedbackOfferBlocks } from "./feedback-form.js";
import { slackDownloadPolicy } from "./file-hosts.js";
import { uploadFiles } from "./file-upload.js";
import { registerSlackHome } from "./home.js";
import { renderHomeView } from "./home-view.js";
import { createSlackHttpIngress, type SlackHttpIngress } from "./http-receiver.js";
import { fetchBotIdentity, type SlackBotIdentity } from "./identity.js";
import { registerInstallListeners } from "./install-listeners.js";
import { createSlackInstaller } from "./install-routes.js";
import { VaultInstallationStore } from "./installation-store.js";
import { registerSlackListeners } from "./listeners.js";
import { createSlackNativeStreaming } from "./native-streaming.js";
import { findSlackPostedMessages, postKeyMetadata } from "./post-keys.js";
import { deletePrivateReply, postPrivateReply, privateFilesRefused, privateReplyUrl, replacePrivateReply } from "./private-replies.js";
import { renderMessage, toSdkBlocks } from "./render.js";
import { toSlackSdkLogger } from "./slack-logger.js";
import { AckAfterSinkSocketReceiver } from "./socket-receiver.js";
import { adoptInterruptedStream } from "./stream-adoption.js";
import { threadLogKey } from "./thread-cache.js";
import { fetchSlackThreadHistory, HistoryBackoff } from "./thread-history.js";
import { TokenSeal } from "./token-seal.js";
import { createUserDirectory, type UserDirectory, type UserDirectoryOptions } from "./user-directory.js";
import { createSlackWebClient } from "./web-client.js";
import { installedWorkspaces, type SlackWorkspace, type SlackWorkspaces, singleTokenWorkspace } from "./workspaces.js";

/** A Slack file URL names its workspace: https://files.slack.com/files-pri/T0123-F0456/download/name. */
const FILE_TEAM = /\/files-pri\/([A-Z0-9]+)-/;

export interface SlackPlatformDeps extends AdapterDeps {
  readonly userDirectory?: UserDirectoryOptions;
}

/** The Slack adapter: Bolt for intake (HTTP Events API or Socket Mode), the Web API client for everything out. */
export class SlackPlatform implements ChatPlatform {
  readonly id = "slack" as const;
  /** The Events API retries an event whose ack failed; commands and clicks are acknowledged before the core sees them. */
  readonly redeliversRefusedEvents = true;
  readonly capabilities: PlatformCapabilities = SLACK_CAPABILITIES;
  readonly streaming?: NativeStreaming;
  readonly assistant?: AssistantSurface;

  private readonly logger: Logger;
  private readonly workspaces: SlackWorkspaces;
  /** OAuth installs only: the installations, and Bolt's installer serving /slack/install and /slack/oauth_redirect. */
  private readonly installs: { store: VaultInstallationStore; installer: ReturnType<typeof createSlackInstaller> } | undefined;
  /** Per bot token (one per workspace with OAuth, one in all): the user directory and the file downloader. */
  private readonly usersByToken = new Map<string, UserDirectory>();
  private readonly downloadsByToken = new Map<string, SafeDownloader>();
  private readonly deps: SlackPlatformDeps;
  private readonly orgWorkspacesSeen = new Set<string>();
  /** SLACK_BOT_TOKEN's client; undefined with OAuth. */
  private readonly singleClient: WebClient | undefined;
  private readonly newClient: (token: string) => WebClient;
  private identity: SlackBotIdentity | undefined;
  private app: App | undefined;
  private http: SlackHttpIngress | undefined;
  private socket: AckAfterSinkSocketReceiver | undefined;
  private isSocketConnected = false;
  private readonly starting = new StartOnce();
  private stopPromise: Promise<void> | undefined;
  private isStarted = false;
  private threadLog: ThreadLog | undefined;
  private readonly historyBackoff = new HistoryBackoff();
  readonly offerFeedbackComment?: (ref: MessageRef, userId: string) => Promise<void>;
  /** The core's answer to "does this button open a form?" (ingress role). */
  private forms: FormDialogSource | undefined;

  constructor(
    private readonly config: SlackConfig,
    deps: SlackPlatformDeps,
  ) {
    this.logger = deps.logger.child({ platform: "slack" });
    this.deps = deps;
    const newClient = (token: string) => createSlackWebClient({ botToken: token, apiUrl: config.apiUrl }, this.logger);
    this.newClient = newClient;
    if (config.oauth !== undefined) {
      if (deps.installations === undefined) throw new PlatformError("slack", "Slack OAuth installs need the bridge's installation store");
      const store = new VaultInstallationStore(deps.installations, new TokenSeal(config.oauth.tokenKeys), this.logger);
      this.installs = { store, installer: createSlackInstaller(config.oauth, store, { apiUrl: config.apiUrl, logger: this.logger }) };
      this.workspaces = installedWorkspaces(store, newClient);
      this.singleClient = undefined;
    } else {
      const token = config.botToken as string;
      this.installs = undefined;
      this.singleClient = newClient(token);
      this.workspaces = singleTokenWorkspace(this.singleClient, token, () => this.identity);
    }
    const clientFor = async (workspaceId: string) => (await this.workspaces(workspaceId)).client;
    if (config.streaming !== "edit")
      this.streaming = createSlackNativeStreaming(clientFor, config.streaming, this.logger, {
        feedbackButtons: config.aiApp,
        onStopped: (ref, markdown) => this.logOwn(ref, markdown),
        adoptInterrupted: async (target, o) => adoptInterruptedStream(await this.workspaces(target.workspaceId), this.historyBackoff, target, o),
      });
    if (config.aiApp) {
      this.assistant = createSlackAssistantSurface(clientFor, this.logger);
      this.offerFeedbackComment = (ref, userId) => this.postFeedbackOffer(ref, userId);
    }
  }

  useThreadLog(log: ThreadLog): void {
    this.threadLog = log;
  }

  /**
   * After a 👎 reaction (which carries no trigger for a form): an ephemeral for the reactor whose button opens
   * the "what was wrong?" form. A reaction does not name the message's thread, so it shows in the channel.
   */
  private async postFeedbackOffer(ref: MessageRef, userId: string): Promise<void> {
    const { client } = await this.workspaces(ref.workspaceId);
    const offer = feedbackOfferBlocks({ channel: ref.channelId, ts: ref.messageId });
    await callSlack("chat.postEphemeral", () =>
      client.chat.postEphemeral({
        channel: ref.channelId,
        user: userId,
        ...(ref.threadId !== undefined ? { thread_ts: ref.threadId } : {}),
        text: offer.text,
        blocks: offer.blocks as never,
      }),
    );
  }

  /** The bot's own message as the thread log keeps it: its full Markdown (best effort, like every log write). */
  private logOwn(ref: Pick<MessageRef, "workspaceId" | "channelId" | "messageId" | "threadId">, markdown: string): void {
    const log = this.threadLog;
    if (!log || ref.threadId === undefined) return;
    void this.workspaces(ref.workspaceId)
      .then((ws) =>
        log.record(threadLogKey(ref.workspaceId, ref.channelId, ref.threadId as string), {
          id: ref.messageId,
          order: Number(ref.messageId),
          userId: ws.botUserId,
          isBot: true,
          text: markdown,
        }),
      )
      .catch(() => undefined);
  }

  /** POST /slack/events in HTTP mode once started with a sink, and the install flow's pages with OAuth. */
  get httpRoutes(): readonly HttpRoute[] | undefined {
    const routes = [...(this.http ? [this.http.route] : []), ...(this.installs && this.isStarted ? this.installs.installer.routes : [])];
    return routes.length > 0 ? routes : undefined;
  }

  /** Bounded like the clients: one directory per token this process has seen. */
  private usersOf(ws: Pick<SlackWorkspace, "token"> & { client?: WebClient }): UserDirectory {
    let users = this.usersByToken.get(ws.token);
    if (users === undefined) {
      if (this.usersByToken.size >= 1_000) this.usersByToken.delete(this.usersByToken.keys().next().value as string);
      users = createUserDirectory(ws.client ?? this.newClient(ws.token), this.logger, this.deps.userDirectory);
      this.usersByToken.set(ws.token, users);
    }
    return users;
  }

  private downloaderOf(token: string | undefined): SafeDownloader {
    const key = token ?? "";
    let download = this.downloadsByToken.get(key);
    if (download === undefined) {
      download = createSafeDownloader(slackDownloadPolicy({ ...this.config, ...(token !== undefined ? { botToken: token } : {}) }), this.deps.download);
      this.downloadsByToken.set(key, download);
    }
    return download;
  }

  /** The bot's identity from auth.test; available after `start`. */
  get botIdentity(): SlackBotIdentity | undefined {
    return this.identity;
  }

  /**
   * Without a sink: the Web API only (worker role). With one: intake too, and in Socket Mode the promise settles
   * once the socket is connected. Concurrent calls share that one start (see `StartOnce`).
   */
  start(sink?: InboundSink, forms?: FormDialogSource): Promise<void> {
    this.forms = forms;
    return this.starting.run(() => this.doStart(sink));
  }

  private async doStart(sink?: InboundSink): Promise<void> {
    // With OAuth there is no one bot: each workspace's bot comes from its installation, per event and per call.
    const identity = this.installs ? undefined : await fetchBotIdentity(this.singleClient as WebClient, this.logger);
    this.identity = identity;
    if (sink !== undefined) await this.startIntake(identity, sink);
    this.isStarted = true;
    this.logger.info(
      { transport: sink === undefined ? "none (worker)" : this.config.transport.kind, streaming: this.config.streaming },
      "Slack adapter started",
    );
  }

  private async startIntake(identity: SlackBotIdentity | undefined, sink: InboundSink): Promise<void> {
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
    // (and must see our own reactions); convoStore is off: no in-process conversation state. With OAuth, Bolt
    // authorizes every event from the workspace's installation instead.
    const auth = identity
      ? { token: this.config.botToken as string, botId: identity.botId, botUserId: identity.botUserId }
      : { authorize: this.authorizeFromInstallations() };
    this.app = new App({
      ...auth,
      receiver,
      ignoreSelf: false,
      convoStore: false,
      logger: toSlackSdkLogger(this.logger, "slack-bolt"),
      clientOptions: { slackApiUrl: `${this.config.apiUrl}/`, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
    });
    const allowedChannels = this.config.allowedChannels;
    const commands = { sink, logger: this.logger, apiUrl: this.config.apiUrl, isCustomApiUrl: this.config.isCustomApiUrl };
    if (identity) {
      const ws = await this.workspaces(identity.teamId);
      const scope = { context: { botUserId: identity.botUserId, teamId: identity.teamId, allowedChannels }, users: this.usersOf(ws) };
      registerSlackListeners(this.app, { ...scope, sink, logger: this.logger, threadLog: () => this.threadLog, forms: this.forms });
      registerSlackCommands(this.app, { ...commands, scope: () => scope });
      registerSlackHome(this.app, { sink, logger: this.logger, scope: () => scope });
    } else if (this.installs) {
      registerInstallListeners(this.app, { store: this.installs.store, sink, logger: this.logger });
      const perWorkspace = (bolt: Context) => ({
        context: { botUserId: bolt.botUserId ?? "", teamId: bolt.teamId ?? "", allowedChannels },
        users: this.usersOf({ token: bolt.botToken ?? "" }),
      });
      registerSlackListeners(this.app, {
        context: { botUserId: "", teamId: "", allowedChannels },
        sink,
        users: { namesOf: async () => ({}) },
        logger: this.logger,
        perWorkspace,
        threadLog: () => this.threadLog,
        forms: this.forms,
      });
      registerSlackCommands(this.app, { ...commands, scope: perWorkspace });
      registerSlackHome(this.app, { sink, logger: this.logger, scope: perWorkspace });
    }
    if (this.socket) await this.socket.start();
  }

  /**
   * Bolt's `authorize` from the installations. An event from a workspace of an org-wide install also records
   * that workspace → org pointer, so outbound calls (which know only the workspace) find the org's token.
   */
  private authorizeFromInstallations(): Authorize<boolean> {
    const installs = this.installs;
    if (installs === undefined) throw new PlatformError("slack", "not an OAuth deployment");
    return async (source) => {
      const result = await installs.installer.installer.authorize(source);
      const { teamId, enterpriseId } = source;
      if (source.isEnterpriseInstall && teamId !== undefined && enterpriseId !== undefined && !this.orgWorkspacesSeen.has(teamId)) {
        await installs.store.rememberOrgWorkspace(teamId, enterpriseId);
        this.orgWorkspacesSeen.add(teamId);
      }
      return result;
    };
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

  /** One workspace with a bot token; with OAuth installs, every installation in the vault (org ids included). */
  async describe(): Promise<PlatformPresence> {
    const connected = this.isReady();
    if (!this.installs) return { connected, workspaces: this.identity ? [{ id: this.identity.teamId }] : [] };
    const ids = (await this.deps.installations?.list("slack")) ?? [];
    return { connected, workspaces: ids.sort().map((id) => ({ id })) };
  }

  /** Feedback buttons are an AI-app surface: a classic app rates by reactions only. */
  private rendered(content: MessageContent) {
    return renderMessage(this.config.aiApp || !content.feedback ? content : { ...content, feedback: false });
  }

  async postMessage(target: ReplyTarget, content: MessageContent, opts: PostOptions = {}): Promise<MessageRef> {
    const privateUrl = privateReplyUrl(target);
    if (privateUrl !== undefined) return postPrivateReply(target, privateUrl, content);
    const payload = this.rendered(content);
    const { client } = await this.workspaces(target.workspaceId);
    const res = await callSlack("chat.postMessage", () =>
      client.chat.postMessage({
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
    this.logOwn(
      { workspaceId: target.workspaceId, channelId: res.channel ?? target.channelId, messageId: res.ts, threadId: target.threadId },
      content.markdown,
    );
    return {
      platform: "slack",
      workspaceId: target.workspaceId,
      channelId: res.channel ?? target.channelId,
      messageId: res.ts,
      ...(target.threadId !== undefined ? { threadId: target.threadId } : {}),
    };
  }

  /** The Home tab of one person (views.publish replaces whatever it showed). */
  async publishHome(place: { readonly workspaceId: string; readonly userId: string }, home: AppHome): Promise<void> {
    const { client } = await this.workspaces(place.workspaceId);
    const view = renderHomeView(home);
    await callSlack("views.publish", () => client.views.publish({ user_id: place.userId, view: { type: "home", blocks: toSdkBlocks(view.blocks) } }));
  }

  /** A private answer cannot be read back (ephemeral messages are not in the history): nothing to adopt. */
  async findPostedMessages(target: ReplyTarget, turnId: string): Promise<readonly PostedMessage[]> {
    if (privateReplyUrl(target) !== undefined) return [];
    const ws = await this.workspaces(target.workspaceId);
    return findSlackPostedMessages(ws.client, target, turnId, ws);
  }

  async editMessage(ref: MessageRef, content: MessageContent): Promise<void> {
    const privateUrl = privateReplyUrl(ref);
    if (privateUrl !== undefined) return replacePrivateReply(privateUrl, content);
    const payload = this.rendered(content);
    const { client } = await this.workspaces(ref.workspaceId);
    await callSlack("chat.update", () =>
      client.chat.update({ channel: ref.channelId, ts: ref.messageId, text: payload.text, blocks: toSdkBlocks(payload.blocks) }),
    );
    this.logOwn(ref, content.markdown);
  }

  /** Deleting a message that is already gone counts as done. */
  async deleteMessage(ref: MessageRef): Promise<void> {
    const privateUrl = privateReplyUrl(ref);
    if (privateUrl !== undefined) return deletePrivateReply(privateUrl);
    const { client } = await this.workspaces(ref.workspaceId);
    if (ref.threadId !== undefined)
      void this.threadLog?.remove(threadLogKey(ref.workspaceId, ref.channelId, ref.threadId), ref.messageId).catch(() => undefined);
    try {
      await callSlack("chat.delete", () => client.chat.delete({ channel: ref.channelId, ts: ref.messageId }));
    } catch (err) {
      if (err instanceof PlatformError && err.code === "PLATFORM_NOT_FOUND") return;
      throw err;
    }
  }

  async postEphemeral(target: ReplyTarget, userId: string, markdown: string): Promise<void> {
    const payload = renderMessage({ markdown });
    const { client } = await this.workspaces(target.workspaceId);
    await callSlack("chat.postEphemeral", () =>
      client.chat.postEphemeral({
        channel: target.channelId,
        user: userId,
        ...(target.threadId !== undefined ? { thread_ts: target.threadId } : {}),
        text: payload.text,
        blocks: toSdkBlocks(payload.blocks),
      }),
    );
  }

  async attachFiles(target: ReplyTarget, files: readonly OutboundFile[]): Promise<readonly MessageRef[]> {
    if (privateReplyUrl(target) !== undefined) throw privateFilesRefused();
    const { client } = await this.workspaces(target.workspaceId);
    return uploadFiles(client, target, files, this.capabilities.maxUploadBytes);
  }

  /** With OAuth, the file's own workspace (named in its URL) lends its token; another workspace's never goes out. */
  async downloadAttachment(att: InboundAttachment, opts: { signal: AbortSignal; maxBytes: number }): Promise<Uint8Array> {
    if (!this.installs) return this.downloaderOf(this.config.botToken)(att, opts);
    const teamId = FILE_TEAM.exec(att.ref)?.[1];
    const token =
      teamId === undefined
        ? undefined
        : await this.workspaces(teamId).then(
            (ws) => ws.token,
            () => undefined,
          );
    return this.downloaderOf(token)(att, opts);
  }

  async fetchThreadHistory(target: ReplyTarget, opts: { beforeMessageId: string; limit: number }): Promise<readonly ThreadHistoryMessage[]> {
    const ws = await this.workspaces(target.workspaceId);
    return fetchSlackThreadHistory(
      { client: ws.client, botUserId: ws.botUserId, users: this.usersOf(ws), log: this.threadLog, backoff: this.historyBackoff, logger: this.logger },
      target,
      opts,
    );
  }
}
