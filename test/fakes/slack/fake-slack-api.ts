import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fakeNowMs } from "../clock.js";
import { appHomeMethods, FakeAppHome } from "./app-home.js";
import { assistantMethods } from "./assistant-methods.js";
import { FakeAssistantThreads } from "./assistant-threads.js";
import { buttonClickPayload } from "./button-click.js";
import { chatMethods } from "./chat-methods.js";
import { DEFAULT_FAKE_TEAM, type FakeSlackTeam, type FakeSlackUser } from "./fake-team.js";
import { fileMethods } from "./file-methods.js";
import { FakeFileRegistry, type FakeHostedFile } from "./file-registry.js";
import { serveFileDownload, serveUpload } from "./file-routes.js";
import { type CommandInit, messageShortcutPayload, type ShortcutInit, slashCommandBody } from "./interaction-payloads.js";
import { FakeMessageStore } from "./message-store.js";
import { type MethodContext, type MethodHandler, SlackMethodError } from "./method-types.js";
import { miscMethods } from "./misc-methods.js";
import { FakeSlackOAuth, type FakeSlackOAuthOptions } from "./oauth.js";
import { SlackPayloads } from "./payloads.js";
import { parseBody } from "./request-body.js";
import { FakeResponseUrls } from "./response-urls.js";
import { DEFAULT_FAKE_SLACK_TIERS, type FakeRateTier, SlidingWindowLimiter } from "./sliding-window.js";
import { type FakeSocketModeOptions, FakeSocketModeServer } from "./socket-mode-server.js";
import { streamMethods } from "./stream-methods.js";
import { FakeViews, viewMethods } from "./views.js";

export interface FakeSlackApiOptions {
  readonly team?: Partial<FakeSlackTeam>;
  /** People users.info knows. */
  readonly users?: readonly FakeSlackUser[];
  /** Rate tiers by method; `false` turns rate limiting off. @defaultValue DEFAULT_FAKE_SLACK_TIERS */
  readonly tiers?: Readonly<Record<string, FakeRateTier>> | false;
  readonly socketMode?: FakeSocketModeOptions;
  /** OAuth installs: the app's credentials and the workspaces that may install it (see oauth.ts). */
  readonly oauth?: FakeSlackOAuthOptions;
  /**
   * "non_marketplace": conversations.replies as Slack limits it for apps outside the Marketplace (docs.slack.dev
   * conversations.replies, since May 29, 2025): 1 request a minute (then HTTP 429 `ratelimited` with
   * Retry-After) and at most 15 messages a call. Default "marketplace": Tier 3, up to 1,000 a call.
   */
  readonly historyLimits?: "marketplace" | "non_marketplace";
  /** The app's AI-app experience: `agent_view` (default) or the legacy `assistant_view`. */
  readonly aiExperience?: "agent" | "assistant";
}

/** conversations.replies for apps outside the Marketplace: 1 request per minute, per workspace. */
const NON_MARKETPLACE_REPLIES_TIER: FakeRateTier = { limit: 1, windowMs: 60_000, scope: "workspace" };

/** One Web API call as the fake received it. */
export interface RecordedCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly atMs: number;
  /** Which token authorized it: the bot's, the app-level one, none, or an unknown one. */
  readonly auth: "bot" | "app" | "none" | "invalid";
  /** 200 or 429. */
  readonly status: number;
  /** Slack's `error` for `ok: false` answers. */
  readonly error?: string;
  /** The workspace whose token authorized it (the default team's, or an installed one's). */
  readonly teamId?: string;
}

/** A one-off failure for the next call to a method. */
export type InjectedFailure =
  | { readonly kind: "rate_limited"; readonly retryAfterSec: number }
  | { readonly kind: "error"; readonly error: string; readonly extra?: Record<string, unknown> }
  | { readonly kind: "http"; readonly status: number };

/** An answer the fake holds back (see `withholdNextAnswer`). */
export interface WithheldAnswer {
  /** Resolves once the call arrived and was performed. */
  readonly performed: Promise<void>;
  readonly released: Promise<void>;
  markPerformed(): void;
  /** Sends the answer (to whoever is still listening). */
  release(): void;
}

const METHODS: Record<string, MethodHandler> = { ...chatMethods, ...streamMethods, ...fileMethods, ...miscMethods, ...assistantMethods, ...viewMethods };

/**
 * A fake Slack Web API on 127.0.0.1 (`apiUrl` = http://127.0.0.1:PORT/api), with Socket Mode on the same port,
 * a file host for `url_private_download`, and the upload URLs files.uploadV2 posts to. It keeps every message's
 * state (what a user would see), records every call, and enforces Slack's rate tiers per workspace.
 */
export class FakeSlackApi {
  readonly team: FakeSlackTeam;
  readonly messages = new FakeMessageStore();
  /** Status lines, agent sessions and suggested prompts (Slack's AI-app surfaces). */
  readonly assistant = new FakeAssistantThreads();
  readonly files = new FakeFileRegistry();
  /** Trigger ids of interactions and the modals opened with them (views.open). */
  readonly views = new FakeViews();
  /** Home tabs (views.publish) and the bot's DMs with people (conversations.open). */
  readonly home = new FakeAppHome();
  private readonly homeMethods = appHomeMethods(this.home);
  readonly calls: RecordedCall[] = [];
  /** Every request to the file host: path and the Authorization header it carried. */
  readonly fileRequests: Array<{ readonly path: string; readonly authorization: string | undefined }> = [];
  readonly socket: FakeSocketModeServer;
  readonly payloads: SlackPayloads;
  /** The response_url webhooks of the commands and shortcuts built here, with what each showed. */
  readonly responseUrls = new FakeResponseUrls();
  /** Set with `options.oauth`. */
  readonly oauth: FakeSlackOAuth | undefined;
  private readonly users = new Map<string, FakeSlackUser>();
  private readonly limiter = new SlidingWindowLimiter();
  private readonly injected = new Map<string, InjectedFailure[]>();
  private readonly withheld = new Map<string, WithheldAnswer[]>();
  private readonly outages: Array<{ readonly methods: ReadonlySet<string>; readonly status: number; readonly untilMs: number }> = [];
  private tiers: Readonly<Record<string, FakeRateTier>> | false;
  private readonly historyLimits: "marketplace" | "non_marketplace";
  private readonly aiExperience: "agent" | "assistant";
  private server: Server | undefined;
  private port = 0;

  private constructor(options: FakeSlackApiOptions) {
    this.team = { ...DEFAULT_FAKE_TEAM, ...options.team };
    for (const u of options.users ?? []) this.users.set(u.id, u);
    this.tiers = options.tiers ?? DEFAULT_FAKE_SLACK_TIERS;
    this.historyLimits = options.historyLimits ?? "marketplace";
    this.aiExperience = options.aiExperience ?? "agent";
    this.socket = new FakeSocketModeServer({ appId: this.team.appId, ...options.socketMode });
    this.payloads = new SlackPayloads(this.team, (user) => this.views.issueTrigger(user));
    this.oauth = options.oauth ? new FakeSlackOAuth(options.oauth) : undefined;
  }

  /** Event payload builders for one installable workspace. */
  payloadsFor(teamId: string): SlackPayloads {
    return new SlackPayloads(this.requireOAuth().workspace(teamId), (user) => this.views.issueTrigger(user));
  }

  /**
   * The app is uninstalled from `teamId`: its token is revoked, and the two events Slack sends then are
   * returned for delivery (`tokens_revoked` naming the bot, then `app_uninstalled`).
   */
  uninstall(teamId: string): Record<string, unknown>[] {
    const team = this.requireOAuth().revoke(teamId);
    const p = new SlackPayloads(team);
    return [
      p.envelope({ type: "tokens_revoked", tokens: { oauth: [], bot: [team.botUserId] }, event_ts: `${Math.floor(fakeNowMs() / 1000)}.000100` }),
      p.envelope({ type: "app_uninstalled", event_ts: `${Math.floor(fakeNowMs() / 1000)}.000200` }),
    ];
  }

  private requireOAuth(): FakeSlackOAuth {
    if (!this.oauth) throw new Error("start the fake with { oauth }");
    return this.oauth;
  }

  static async start(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
    const fake = new FakeSlackApi(options);
    await fake.listen();
    return fake;
  }

  /** http://127.0.0.1:PORT */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The Web API base to configure (SLACK_API_URL), without a trailing slash. */
  get apiUrl(): string {
    return `${this.url}/api`;
  }

  /** Calls to one method, in order (rate-limited ones included, with status 429). */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Calls answered with HTTP 429, optionally for one method. */
  rateLimitedCalls(method?: string): RecordedCall[] {
    return this.calls.filter((c) => c.status === 429 && (method === undefined || c.method === method));
  }

  /** Makes the next call to `method` fail once (FIFO when called several times). */
  failNext(method: string, failure: InjectedFailure): void {
    this.injected.set(method, [...(this.injected.get(method) ?? []), failure]);
  }

  /**
   * The next call to `method` is performed (the message is stored, as Slack stores it) but its answer is held
   * back until `release()`: what a caller sees when it dies, or its connection does, after Slack acted.
   */
  withholdNextAnswer(method: string): WithheldAnswer {
    let performed!: () => void;
    let release!: () => void;
    const held: WithheldAnswer = {
      performed: new Promise<void>((resolve) => {
        performed = resolve;
      }),
      released: new Promise<void>((resolve) => {
        release = resolve;
      }),
      markPerformed: () => performed(),
      release: () => release(),
    };
    this.withheld.set(method, [...(this.withheld.get(method) ?? []), held]);
    return held;
  }

  /** For `durationMs` from now every call to `methods` is answered with HTTP `status` and not performed (an outage). */
  outage(methods: readonly string[], opts: { readonly status?: number; readonly durationMs: number }): void {
    this.outages.push({ methods: new Set(methods), status: opts.status ?? 500, untilMs: Date.now() + opts.durationMs });
  }

  /** Ends every outage now. */
  endOutages(): void {
    this.outages.splice(0);
  }

  /**
   * `user` clicks Slack's own Stop on the thread's agent session (shown while it is "processing"): Slack stops
   * the app's streaming messages in the thread itself, and the returned `agent_session_stopped` envelope lists
   * them (docs.slack.dev: the session status does not change by itself).
   */
  stopAgentSession(init: { user: string; channel: string; threadTs: string }): Record<string, unknown> {
    const session = this.assistant.session(init.channel, init.threadTs);
    if (session?.status !== "processing") throw new Error("Slack shows its Stop button only while the session is processing");
    const streaming = this.messages.thread(init.channel, init.threadTs).filter((m) => m.user === this.team.botUserId && m.stream === "streaming");
    for (const m of streaming) {
      m.stream = "stopped";
      this.messages.record(m, "agent_session_stopped");
    }
    return this.payloads.envelope({
      type: "agent_session_stopped",
      channel: init.channel,
      thread_ts: init.threadTs,
      user: init.user,
      streaming_message_ts: streaming.map((m) => m.ts),
      event_ts: this.messages.nextTs(),
    });
  }

  /**
   * The block_actions payload of `user` clicking the button labelled `label` on an ephemeral message they were
   * shown (container `is_ephemeral: true`; Slack sends no `message` for ephemerals, only the container).
   */
  ephemeralButtonClick(init: { user: string; ts: string; label: string }): Record<string, unknown> {
    const eph = this.messages.ephemerals.find((m) => m.ts === init.ts && m.user === init.user);
    if (!eph) throw new Error(`fake slack: ${init.user} was shown no ephemeral ${init.ts}`);
    for (const block of eph.blocks) {
      const b = block as {
        type?: string;
        block_id?: string;
        elements?: Array<{ type?: string; action_id?: string; value?: string; text?: { text?: string } }>;
      };
      if (b.type !== "actions") continue;
      const button = (b.elements ?? []).find((e) => e.type === "button" && e.text?.text === init.label);
      if (!button) continue;
      const base = this.payloads.blockActions({
        user: init.user,
        channel: eph.channel,
        messageTs: eph.ts,
        ...(eph.threadTs ? { threadTs: eph.threadTs } : {}),
        actionId: button.action_id ?? "",
        ...(button.value !== undefined ? { value: button.value } : {}),
      });
      const { message: _message, ...rest } = base;
      const [action] = base.actions as Record<string, unknown>[];
      return {
        ...rest,
        container: { ...(base.container as Record<string, unknown>), is_ephemeral: true },
        actions: [{ ...action, block_id: b.block_id ?? "actions", text: button.text }],
      };
    }
    throw new Error(`fake slack: ephemeral ${init.ts} shows no button labelled "${init.label}"`);
  }

  /**
   * `user` opens the app's Home tab: the `app_home_opened` envelope (docs.slack.dev "app_home_opened": `user`,
   * `channel` = the DM with the bot, `tab`, `event_ts`, and `view` once one was published for them).
   */
  appHomeOpened(user: string, tab: "home" | "messages" = "home"): Record<string, unknown> {
    const published = this.home.tab(user)?.view;
    return this.payloads.envelope({
      type: "app_home_opened",
      user,
      channel: this.home.dmChannelOf(user),
      tab,
      event_ts: this.messages.nextTs(),
      ...(published && tab === "home" ? { view: { ...published, team_id: this.team.teamId, app_id: this.team.appId } } : {}),
    });
  }

  /**
   * `user` clicks the button labelled `label` on their Home tab: a `block_actions` payload whose container is the
   * view (no channel, no message; docs.slack.dev "block_actions payload"). Only a button the published view shows
   * can be clicked.
   */
  homeButtonClick(init: { user: string; label: string }): Record<string, unknown> {
    const tab = this.home.tab(init.user);
    if (!tab) throw new Error(`fake slack: no Home tab was published for ${init.user}`);
    for (const [i, block] of tab.view.blocks.entries()) {
      if (block.type !== "actions") continue;
      const button = ((block.elements as Record<string, unknown>[] | undefined) ?? []).find(
        (e) => e.type === "button" && (e.text as { text?: string } | undefined)?.text === init.label,
      );
      if (!button) continue;
      return {
        type: "block_actions",
        user: { id: init.user, username: init.user, name: init.user, team_id: this.team.teamId },
        api_app_id: this.team.appId,
        token: "fake-verification-token",
        container: { type: "view", view_id: tab.view.id },
        trigger_id: this.views.issueTrigger(init.user),
        team: { id: this.team.teamId, domain: "fake" },
        enterprise: null,
        is_enterprise_install: false,
        view: { ...tab.view, team_id: this.team.teamId, app_id: this.team.appId, bot_id: this.team.botId, state: { values: {} } },
        actions: [
          {
            type: "button",
            action_id: button.action_id,
            block_id: (block.block_id as string | undefined) ?? `actions-${i}`,
            text: button.text,
            ...(button.value !== undefined ? { value: button.value } : {}),
            action_ts: this.messages.nextTs(),
          },
        ],
      };
    }
    throw new Error(`fake slack: the Home tab of ${init.user} shows no button labelled "${init.label}"`);
  }

  /** The block_actions payload of `user` clicking the button labelled `label` on a stored message (see button-click.ts). */
  buttonClick(init: { user: string; channel: string; ts: string; label: string }): Record<string, unknown> {
    return buttonClickPayload(this.messages, this.payloads, init);
  }

  /** The `view_submission` payload of `user` submitting an open modal with `values` by `action_id`. */
  viewSubmission(init: { viewId: string; user: string; userName?: string; values: Readonly<Record<string, string>> }): Record<string, unknown> {
    return this.views.submission(this.team, init);
  }

  /**
   * What Slack sends when `init.user` runs a slash command: the form fields (HTTP) or the Socket Mode envelope's
   * payload, with a fresh response_url served by this fake.
   */
  slashCommand(init: CommandInit): Record<string, string> {
    const responseUrl = this.responseUrls.issue(this.url, { teamId: this.team.teamId, channel: init.channel, user: init.user });
    return slashCommandBody(this.team, init, responseUrl);
  }

  /** The `message_action` payload of a message shortcut used on a stored message (its text and files as shown). */
  messageShortcut(init: ShortcutInit): Record<string, unknown> {
    const stored = this.messages.get(init.channel, init.ts);
    if (!stored) throw new Error(`no message ${init.ts} in ${init.channel}`);
    const responseUrl = this.responseUrls.issue(this.url, { teamId: this.team.teamId, channel: init.channel, user: init.user });
    return messageShortcutPayload(this.team, init, stored, responseUrl);
  }

  addUser(user: FakeSlackUser): void {
    this.users.set(user.id, user);
  }

  /** Replaces the rate tiers (false: off) and forgets the calls counted so far. */
  setTiers(tiers: Readonly<Record<string, FakeRateTier>> | false): void {
    this.tiers = tiers;
    this.limiter.reset();
  }

  /**
   * Hosts a file the way Slack hosts an attachment: `url_private_download` serves the bytes to the bot token
   * and Slack's HTML sign-in page to anyone else. Returns the `files[]` entry an event would carry.
   */
  hostFile(init: {
    name: string;
    mimetype: string;
    data: Buffer | string;
    subtype?: string;
    mediaDisplayType?: string;
    redirectTo?: string;
    servedContentType?: string;
    trickleMs?: number;
  }): Record<string, unknown> {
    const id = this.files.nextId();
    const data = typeof init.data === "string" ? Buffer.from(init.data) : init.data;
    const file: FakeHostedFile = this.files.put({
      id,
      name: init.name,
      title: init.name,
      mimetype: init.mimetype,
      data,
      teamId: this.team.teamId,
      urlPrivateDownload: `${this.url}/files-pri/${this.team.teamId}-${id}/download/${encodeURIComponent(init.name)}`,
      isUploaded: true,
      ...(init.redirectTo ? { redirectTo: init.redirectTo } : {}),
      ...(init.servedContentType ? { servedContentType: init.servedContentType } : {}),
      ...(init.trickleMs !== undefined ? { trickleMs: init.trickleMs } : {}),
    });
    return {
      id,
      name: init.name,
      title: init.name,
      mimetype: init.mimetype,
      filetype: init.name.split(".").pop() ?? "bin",
      size: data.length,
      mode: "hosted",
      url_private: file.urlPrivateDownload,
      url_private_download: file.urlPrivateDownload,
      ...(init.subtype ? { subtype: init.subtype } : {}),
      ...(init.mediaDisplayType ? { media_display_type: init.mediaDisplayType } : {}),
    };
  }

  async close(): Promise<void> {
    await this.socket.close();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(err));
      });
    });
    server.on("upgrade", (req, socket, head) => {
      if (!this.socket.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const path = url.pathname;
    if (path === "/oauth/v2/authorize" && this.oauth) return this.oauth.serveAuthorize(url, res);
    if (path.startsWith("/commands/")) {
      const chunks: Buffer[] = [];
      for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
      return this.responseUrls.serve(path, Buffer.concat(chunks), res);
    }
    if (path.startsWith("/api/")) return this.serveMethod(path.slice("/api/".length), req, res);
    if (path.startsWith("/upload/v1/")) return serveUpload(this.files, path.slice("/upload/v1/".length), req, res);
    if (path.startsWith("/files-pri/")) {
      this.fileRequests.push({ path, authorization: req.headers.authorization });
      return serveFileDownload(this.files, this.team, path, req, res);
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  }

  /** Which token authorized a call, and whose workspace it is (an installed workspace's token speaks for it). */
  private authOf(req: IncomingMessage, fields: Record<string, unknown>): { auth: RecordedCall["auth"]; team: FakeSlackTeam } {
    const header = req.headers.authorization;
    const token = header?.startsWith("Bearer ") ? header.slice(7) : typeof fields.token === "string" ? fields.token : undefined;
    if (token === undefined || token === "") return { auth: "none", team: this.team };
    const installed = this.oauth?.teamOfToken(token);
    if (installed) return { auth: "bot", team: installed };
    // With OAuth, the default team's bot token is only valid once that team installed the app.
    if (token === this.team.botToken && !this.oauth) return { auth: "bot", team: this.team };
    if (token === this.team.appToken) return { auth: "app", team: this.team };
    return { auth: "invalid", team: this.team };
  }

  private async serveMethod(method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { fields } = await parseBody(req);
    const { auth, team } = this.authOf(req, fields);
    const atMs = fakeNowMs();
    const record = (status: number, error?: string) =>
      this.calls.push({ method, args: fields, atMs, auth, status, ...(error ? { error } : {}), ...(auth === "bot" ? { teamId: team.teamId } : {}) });
    const send = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify(body));
    };
    // The code exchange authenticates with the app's client credentials, not a token.
    if (method === "oauth.v2.access" && this.oauth) {
      const body = this.oauth.exchange(req, fields, this.team.appId);
      record(200, body.ok === true ? undefined : String(body.error));
      return send(200, body);
    }

    const authError = this.checkAuth(method, auth);
    if (authError) {
      record(200, authError);
      return send(200, { ok: false, error: authError });
    }
    const outage = this.outages.find((o) => o.methods.has(method) && Date.now() < o.untilMs);
    if (outage) {
      record(outage.status);
      return send(outage.status, { ok: false, error: "fake_outage" });
    }
    const injected = this.injected.get(method)?.shift();
    if (injected?.kind === "rate_limited") {
      record(429, "ratelimited");
      return send(429, { ok: false, error: "ratelimited" }, { "retry-after": String(injected.retryAfterSec) });
    }
    if (injected?.kind === "http") {
      record(injected.status);
      return send(injected.status, { ok: false, error: "fake_http_error" });
    }
    if (injected?.kind === "error") {
      record(200, injected.error);
      return send(200, { ok: false, error: injected.error, ...injected.extra });
    }
    const limited = this.checkRate(method, fields, atMs, team);
    if (limited !== undefined) {
      record(429, "ratelimited");
      return send(429, { ok: false, error: "ratelimited" }, { "retry-after": String(limited) });
    }
    const handler = METHODS[method] ?? this.homeMethods[method];
    if (handler === undefined) {
      record(200, "unknown_method");
      return send(200, { ok: false, error: "unknown_method" });
    }
    const ctx: MethodContext = {
      fields,
      team,
      store: this.messages,
      assistant: this.assistant,
      files: this.files,
      views: this.views,
      historyLimits: this.historyLimits,
      aiExperience: this.aiExperience,
      users: this.users,
      baseUrl: this.url,
      openSocketLink: () => this.socket.openLink(this.url.replace(/^http/, "ws")),
    };
    try {
      const result = handler(ctx);
      record(200);
      const held = this.withheld.get(method)?.shift();
      if (held) {
        held.markPerformed();
        await held.released;
      }
      return send(200, result.body, result.headers);
    } catch (err) {
      if (!(err instanceof SlackMethodError)) throw err;
      record(200, err.error);
      return send(200, { ok: false, error: err.error, ...err.extra });
    }
  }

  private checkAuth(method: string, auth: RecordedCall["auth"]): string | undefined {
    if (auth === "none") return "not_authed";
    if (auth === "invalid") return "invalid_auth";
    if (method === "apps.connections.open") return auth === "app" ? undefined : "not_allowed_token_type";
    return auth === "bot" ? undefined : "not_allowed_token_type";
  }

  /** Seconds to wait when the call is over its tier, undefined when allowed (and then counted). */
  private checkRate(method: string, fields: Record<string, unknown>, nowMs: number, team: FakeSlackTeam): number | undefined {
    const tier =
      method === "conversations.replies" && this.historyLimits === "non_marketplace"
        ? NON_MARKETPLACE_REPLIES_TIER
        : this.tiers === false
          ? undefined
          : this.tiers[method];
    if (tier === undefined) return undefined;
    const channel = typeof fields.channel === "string" ? fields.channel : "";
    const key = tier.scope === "channel" ? `${team.teamId}:${channel}:${method}` : `${team.teamId}:${method}`;
    const taken = this.limiter.take(key, tier, nowMs);
    return taken.ok ? undefined : Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
  }
}
