import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fakeNowMs } from "../clock.js";
import { FakeApplicationCommands } from "./application-commands.js";
import { FakeCdn } from "./cdn.js";
import { FakeGateway, type GatewaySession } from "./gateway.js";
import { discordError, type FakeResponse, parseBody, readRaw, type UploadedFile, writeResponse } from "./http-body.js";
import { FAKE_IDS, FAKE_TOKEN, SnowflakeGenerator } from "./ids.js";
import { DEFAULT_FAKE_RATE_LIMITS, FakeRateLimiter, type FakeRateLimits } from "./rate-limiter.js";
import { type FakeInteraction, type InteractionCallbackRecord, type InteractionFollowUpRecord, type RestContext, routeRest } from "./rest-api.js";
import { type ShardKey, shardReceives } from "./sharding.js";
import { UserEvents } from "./user-events.js";
import { buildDefaultWorld, type FakeWorld, type StoredMessage } from "./world.js";

export interface FakeDiscordOptions {
  /** HELLO's heartbeat interval; short keeps heartbeats exercised in tests. @defaultValue 1_000 */
  readonly heartbeatIntervalMs?: number;
  /** "denied" emulates the portal switch being off: IDENTIFY with the intent → close 4014. @defaultValue "granted" */
  readonly messageContentIntent?: "granted" | "denied";
  /** Start with the bot in no guild (READY lists none). @defaultValue false */
  readonly inNoGuild?: boolean;
  /** @defaultValue DEFAULT_FAKE_RATE_LIMITS (5 per 5 s per channel, 50/s global) */
  readonly rateLimits?: Partial<FakeRateLimits>;
  readonly token?: string;
  /** GET /gateway/bot's recommended shard count (`shards`). @defaultValue 1 */
  readonly recommendedShards?: number;
  /** GET /gateway/bot's `session_start_limit.max_concurrency` (advertised, not enforced). @defaultValue 1 */
  readonly maxConcurrency?: number;
  /** A shard holding more guilds is refused with close 4011, as Discord refuses past 2,500. @defaultValue 2_500 */
  readonly maxGuildsPerShard?: number;
}

/** One HTTP request the fake received on /api/v10. */
export interface RecordedRequest {
  readonly method: string;
  /** Path after /api/v10. */
  readonly path: string;
  readonly query: Record<string, string>;
  readonly hadAuthorization: boolean;
  readonly contentType: string;
  /** JSON body or multipart payload_json. */
  readonly json: unknown;
  readonly files: readonly { field: string; filename: string; contentType: string; size: number }[];
  readonly status: number;
  readonly at: number;
}

/** A one-off answer for the next request(s) matching `method` and `path`. */
/** A response the fake holds back (see `withholdNextResponse`). */
export interface WithheldResponse {
  /** Resolves once the request arrived and was performed. */
  readonly performed: Promise<void>;
  readonly released: Promise<void>;
  /** Sends the response (to whoever is still listening). */
  release(): void;
}

export interface InjectedFailure {
  readonly method?: string;
  /** Matched against the path after /api/v10. */
  readonly path?: RegExp;
  readonly response: FakeResponse;
  /** How many matching requests get it. @defaultValue 1 */
  readonly times?: number;
}

/**
 * A fake Discord on 127.0.0.1: REST (`apiUrl`, what DISCORD_API_URL points at), gateway (announced by
 * GET /gateway/bot) and CDN, sharing one port. It keeps every channel's messages with their edit history,
 * records every request, enforces Discord-like rate limits, and lets tests dispatch user activity.
 * See README.md in this folder.
 */
export class FakeDiscord {
  readonly world: FakeWorld;
  readonly gateway: FakeGateway;
  readonly cdn: FakeCdn;
  readonly rateLimiter: FakeRateLimiter;
  readonly requests: RecordedRequest[] = [];
  readonly interactionCallbacks: InteractionCallbackRecord[] = [];
  /** Follow-ups to interactions (POST /webhooks/:application/:token), ephemeral ones included. */
  readonly interactionFollowUps: InteractionFollowUpRecord[] = [];
  /** Dispatch user activity: messages, DMs, voice messages, reactions, button clicks, threads. */
  readonly users: UserEvents;
  /** Registered application commands and the original responses of command interactions. */
  readonly commands: FakeApplicationCommands;
  readonly ids = FAKE_IDS;
  readonly token: string;
  readonly recommendedShards: number;
  readonly maxConcurrency: number;

  readonly #server: Server;
  readonly #snowflakes = new SnowflakeGenerator();
  readonly #injected: Array<InjectedFailure & { left: number }> = [];
  readonly #withheld: Array<{ readonly method: string; readonly path: RegExp; readonly held: WithheldResponse; performed(): void }> = [];
  readonly #interactions = new Map<string, FakeInteraction>();
  #messageContent: "granted" | "denied";
  #port = 0;
  #rateLimitedCount = 0;
  #closing: Promise<void> | null = null;

  private constructor(options: FakeDiscordOptions) {
    this.token = options.token ?? FAKE_TOKEN;
    this.recommendedShards = options.recommendedShards ?? 1;
    this.maxConcurrency = options.maxConcurrency ?? 1;
    const maxGuildsPerShard = options.maxGuildsPerShard ?? 2_500;
    this.#messageContent = options.messageContentIntent ?? "granted";
    this.world = buildDefaultWorld({ inNoGuild: options.inNoGuild ?? false });
    this.cdn = new FakeCdn(() => this.baseUrl);
    this.rateLimiter = new FakeRateLimiter({ ...DEFAULT_FAKE_RATE_LIMITS, ...options.rateLimits });
    this.gateway = new FakeGateway({
      token: this.token,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1_000,
      isMessageContentGranted: () => this.#messageContent === "granted",
      shardingRequired: (shard) => this.guildsOfShard(shard).length > maxGuildsPerShard,
      readyPayload: (session) => readyPayload(this, session),
      afterReady: (session) => this.guildsOfShard(session.shard).map((id) => ({ t: "GUILD_CREATE", d: guildCreatePayload(this.world, id) })),
    });
    this.commands = new FakeApplicationCommands(this.world, this.gateway, this.#snowflakes, this.#interactions, this.interactionCallbacks);
    this.users = new UserEvents(this.world, this.gateway, this.cdn, this.#snowflakes, this.#interactions, this.commands, this.interactionCallbacks);
    this.#server = createServer((req, res) => void this.#onRequest(req, res));
    this.#server.on("upgrade", (req, socket, head) => {
      if ((req.url ?? "").startsWith("/gateway")) this.gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, "127.0.0.1", resolve));
    fake.#port = (fake.#server.address() as AddressInfo).port;
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** DISCORD_API_URL for the adapter (discord.js appends /v10). */
  get apiUrl(): string {
    return `${this.baseUrl}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.#port}/gateway`;
  }

  /** The guilds whose events a session identified as `shard` receives. */
  guildsOfShard(shard: ShardKey): string[] {
    return [...this.world.guilds.keys()].filter((id) => shardReceives(shard, id));
  }

  /** Flip the portal's Message Content switch for later IDENTIFYs. */
  setMessageContentIntent(state: "granted" | "denied"): void {
    this.#messageContent = state;
  }

  /** The next matching request(s) get `response` instead of being handled. */
  failNext(failure: InjectedFailure): void {
    this.#injected.push({ ...failure, left: failure.times ?? 1 });
  }

  /** The next matching request gets a 429 (`retry_after` in the body, `Retry-After` header), counted like enforced ones. */
  rateLimitNext(match: { method?: string; path?: RegExp; retryAfterMs: number; global?: boolean }): void {
    const decision = this.rateLimiter.limited(match.retryAfterMs, match.global ?? false);
    this.failNext({
      ...(match.method && { method: match.method }),
      ...(match.path && { path: match.path }),
      response: { status: 429, body: decision.body, headers: decision.headers },
    });
  }

  /**
   * The next matching request is performed (a message is stored, as Discord stores it) but its response is held
   * back until `release()`: what a caller sees when it dies, or its connection does, after Discord acted.
   */
  withholdNextResponse(match: { method: string; path: RegExp }): WithheldResponse {
    let performed!: () => void;
    let release!: () => void;
    const held: WithheldResponse = {
      performed: new Promise<void>((resolve) => {
        performed = resolve;
      }),
      released: new Promise<void>((resolve) => {
        release = resolve;
      }),
      release: () => release(),
    };
    this.#withheld.push({ ...match, held, performed });
    return held;
  }

  /** 429s the fake has sent (enforced and injected). */
  get rateLimitedCount(): number {
    return this.#rateLimitedCount;
  }

  /** A channel's live messages, oldest first. */
  messages(channelId: string): StoredMessage[] {
    return (this.world.messages.get(channelId) ?? []).filter((m) => !m.deleted);
  }

  /** Messages the bot posted in a channel, oldest first. */
  botMessages(channelId: string): StoredMessage[] {
    return this.messages(channelId).filter((m) => m.author.id === this.ids.bot);
  }

  /** Requests matching a method and path pattern. */
  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  /** Stops everything; never waits on clients (sockets are terminated). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.gateway.close();
      this.#server.closeAllConnections();
      await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    })();
    return this.#closing;
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.baseUrl);
    if (this.cdn.handles(url.pathname)) {
      this.cdn.handle(req, res, url.pathname);
      return;
    }
    const raw = await readRaw(req);
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/^\/api\/v10/, "");
    let json: unknown;
    let files: readonly UploadedFile[] = [];
    let response: FakeResponse;
    try {
      ({ json, files } = await parseBody(req, raw));
      response = this.#answer(req, method, path, url.searchParams, json, files);
    } catch (err) {
      response = discordError(400, 50109, `The request body contains invalid JSON (${String(err)})`);
    }
    this.requests.push({
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      hadAuthorization: req.headers.authorization !== undefined,
      contentType: req.headers["content-type"] ?? "",
      json,
      files: files.map((f) => ({ field: f.field, filename: f.filename, contentType: f.contentType, size: f.data.byteLength })),
      status: response.status,
      at: fakeNowMs(),
    });
    if (response.status === 429) this.#rateLimitedCount++;
    const withheld = response.status < 300 ? this.#withheld.find((w) => w.method === method && w.path.test(path)) : undefined;
    if (withheld) {
      this.#withheld.splice(this.#withheld.indexOf(withheld), 1);
      withheld.performed();
      await withheld.held.released;
    }
    writeResponse(res, response);
  }

  #answer(req: IncomingMessage, method: string, path: string, query: URLSearchParams, json: unknown, files: readonly UploadedFile[]): FakeResponse {
    if (!req.url?.startsWith("/api/v10/")) return discordError(404, 0, "404: Not Found");
    // Interaction callbacks and follow-ups (webhooks) authenticate with the interaction token, not the bot's,
    // and are exempt from the global limit.
    const isInteraction = path.startsWith("/interactions/") || path.startsWith("/webhooks/");
    if (!isInteraction && req.headers.authorization !== `Bot ${this.token}`) return discordError(401, 0, "401: Unauthorized");
    const injected = this.#injected.find((f) => (!f.method || f.method === method) && (!f.path || f.path.test(path)));
    if (injected) {
      if (--injected.left <= 0) this.#injected.splice(this.#injected.indexOf(injected), 1);
      return injected.response;
    }
    const bucket = messageBucket(method, path);
    const decision = this.rateLimiter.check(bucket, isInteraction);
    if (!decision.allowed) return { status: 429, body: decision.body, headers: decision.headers };
    const ctx: RestContext = {
      world: this.world,
      gateway: this.gateway,
      cdn: this.cdn,
      ids: this.#snowflakes,
      botUserId: this.ids.bot,
      gatewayUrl: () => this.gatewayUrl,
      interactions: this.#interactions,
      interactionCallbacks: this.interactionCallbacks,
      interactionFollowUps: this.interactionFollowUps,
      ephemeralFollowUps: this.commands.ephemeralFollowUps,
      applicationId: this.ids.application,
      isMessageContentGranted: () => this.#messageContent === "granted",
      recommendedShards: this.recommendedShards,
      maxConcurrency: this.maxConcurrency,
    };
    const request = { method, path, query, json, files };
    const response = this.commands.route(request) ?? routeRest(ctx, request);
    const callback = /^\/interactions\/(\d+)\/[^/]+\/callback$/.exec(path);
    if (callback && response.status < 300) this.commands.afterCallback(callback[1] as string);
    return { ...response, headers: { ...decision.headers, ...response.headers } };
  }
}

/** Creating and editing messages share one bucket per channel. */
function messageBucket(method: string, path: string): string | null {
  const m = /^\/channels\/(\d+)\/messages(?:\/\d+)?$/.exec(path);
  if (!m || (method !== "POST" && method !== "PATCH")) return null;
  if (method === "POST" && path.split("/").length !== 4) return null;
  return `messages:${m[1]}`;
}

function readyPayload(fake: FakeDiscord, session: GatewaySession): Record<string, unknown> {
  return {
    v: 10,
    user: fake.world.user(fake.ids.bot),
    guilds: fake.guildsOfShard(session.shard).map((id) => ({ id, unavailable: true })),
    session_id: session.id,
    resume_gateway_url: fake.gatewayUrl,
    application: { id: fake.ids.application, flags: 0 },
    shard: session.shard,
    private_channels: [],
  };
}

function guildCreatePayload(world: FakeWorld, guildId: string): Record<string, unknown> {
  const guild = world.guilds.get(guildId)!;
  const channels = world.guildChannels(guildId);
  return {
    id: guild.id,
    name: guild.name,
    unavailable: false,
    owner_id: FAKE_IDS.alice,
    member_count: guild.memberRoles.size,
    joined_at: new Date(Date.UTC(2025, 0, 1)).toISOString(),
    large: false,
    features: [],
    emojis: [],
    stickers: [],
    roles: guild.roles,
    channels: channels.filter((c) => c.type !== 10 && c.type !== 11 && c.type !== 12),
    threads: channels.filter((c) => c.type === 10 || c.type === 11 || c.type === 12),
    members: [...guild.memberRoles.entries()].map(([userId, roles]) => ({
      user: world.user(userId),
      roles,
      joined_at: new Date(Date.UTC(2025, 0, 1)).toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
    })),
    voice_states: [],
    presences: [],
  };
}
