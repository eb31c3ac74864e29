import { fakeNowMs } from "../clock.js";
import type { FakeCdn } from "./cdn.js";
import type { FakeGateway } from "./gateway.js";
import { discordError, type FakeResponse, type UploadedFile } from "./http-body.js";
import { compareSnowflakes, type SnowflakeGenerator } from "./ids.js";
import { flagsAfter, type MessageBody, validateMessageBody } from "./message-validation.js";
import { toWire } from "./wire.js";
import { type FakeAttachment, type FakeWorld, type StoredMessage, threadChannel } from "./world.js";

export interface RestRequest {
  readonly method: string;
  /** Path after /api/v10, e.g. "/channels/1/messages". */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly json: unknown;
  readonly files: readonly UploadedFile[];
}

export interface InteractionCallbackRecord {
  readonly interactionId: string;
  readonly type: number;
  readonly data: unknown;
  readonly at: number;
}

/** An interaction the fake dispatched (a button click): who clicked where, and the token that answers it. */
export interface FakeInteraction {
  readonly id: string;
  readonly token: string;
  readonly applicationId: string;
  readonly channelId: string;
  readonly userId: string;
  /** What was invoked. @defaultValue "button" */
  readonly kind?: "button" | "chat_input" | "message_command" | "modal_submit";
  /** The message whose button was clicked. */
  readonly messageId?: string;
}

/** A follow-up message sent through POST /webhooks/:application/:token after the interaction was acknowledged. */
export interface InteractionFollowUpRecord {
  readonly interactionId: string;
  /** Who clicked: an ephemeral follow-up is shown to this user only. */
  readonly userId: string;
  readonly channelId: string;
  readonly content: string;
  readonly flags: number;
  /** flags & 64 (EPHEMERAL): not stored in the channel, not dispatched on the gateway. */
  readonly ephemeral: boolean;
  readonly at: number;
}

export interface RestContext {
  readonly world: FakeWorld;
  readonly gateway: FakeGateway;
  readonly cdn: FakeCdn;
  readonly ids: SnowflakeGenerator;
  readonly botUserId: string;
  readonly gatewayUrl: () => string;
  /** Interactions dispatched by the fake, by id. */
  readonly interactions: Map<string, FakeInteraction>;
  readonly interactionCallbacks: InteractionCallbackRecord[];
  readonly interactionFollowUps: InteractionFollowUpRecord[];
  /** Ephemeral follow-ups, kept where webhook edits find them (they are never in a channel). */
  readonly ephemeralFollowUps: Map<string, StoredMessage>;
  readonly applicationId: string;
  /** Whether the Message Content intent is switched on for the application (the portal toggle). */
  readonly isMessageContentGranted: () => boolean;
  readonly recommendedShards: number;
  readonly maxConcurrency: number;
}

type Handler = (ctx: RestContext, req: RestRequest, params: string[]) => FakeResponse;

const ROUTES: Array<[method: string, pattern: RegExp, handler: Handler]> = [
  [
    "GET",
    /^\/gateway\/bot$/,
    (ctx) => ({
      status: 200,
      body: {
        url: ctx.gatewayUrl(),
        shards: ctx.recommendedShards,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: ctx.maxConcurrency },
      },
    }),
  ],
  ["GET", /^\/users\/@me$/, (ctx) => ({ status: 200, body: ctx.world.user(ctx.botUserId) })],
  // The application, with the flag the Developer Portal sets when the Message Content intent is on (1 << 18).
  [
    "GET",
    /^\/applications\/@me$/,
    (ctx) => ({
      status: 200,
      body: { id: ctx.applicationId, name: "Dify Assistant", bot_public: true, flags: ctx.isMessageContentGranted() ? 1 << 18 : 0 },
    }),
  ],
  [
    "GET",
    /^\/users\/@me\/guilds$/,
    (ctx) => ({
      status: 200,
      body: [...ctx.world.guilds.values()].map((g) => ({ id: g.id, name: g.name, icon: null, owner: false, permissions: "0", features: [] })),
    }),
  ],
  [
    "GET",
    /^\/channels\/(\d+)$/,
    (ctx, _r, [id]) => {
      const c = ctx.world.channels.get(id!);
      return c ? { status: 200, body: c } : discordError(404, 10003, "Unknown Channel");
    },
  ],
  ["POST", /^\/channels\/(\d+)\/messages$/, createMessage],
  ["GET", /^\/channels\/(\d+)\/messages$/, listMessages],
  [
    "GET",
    /^\/channels\/(\d+)\/messages\/(\d+)$/,
    (ctx, _r, [cid, mid]) => {
      const m = ctx.world.findMessage(cid!, mid!);
      return m ? { status: 200, body: toWire(m) } : discordError(404, 10008, "Unknown Message");
    },
  ],
  ["PATCH", /^\/channels\/(\d+)\/messages\/(\d+)$/, editMessage],
  [
    "DELETE",
    /^\/channels\/(\d+)\/messages\/(\d+)$/,
    (ctx, _r, [cid, mid]) => {
      const m = ctx.world.findMessage(cid!, mid!);
      if (!m) return discordError(404, 10008, "Unknown Message");
      m.deleted = true;
      ctx.gateway.dispatch("MESSAGE_DELETE", { id: m.id, channel_id: m.channel_id, ...(m.guild_id && { guild_id: m.guild_id }) });
      return { status: 204 };
    },
  ],
  ["POST", /^\/channels\/(\d+)\/typing$/, (ctx, _r, [cid]) => (ctx.world.channels.has(cid!) ? { status: 204 } : discordError(404, 10003, "Unknown Channel"))],
  ["POST", /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/, startThread],
  [
    "PUT",
    /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/@me$/,
    (ctx, _r, [cid, mid]) => (ctx.world.findMessage(cid!, mid!) ? { status: 204 } : discordError(404, 10008, "Unknown Message")),
  ],
  ["DELETE", /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/@me$/, () => ({ status: 204 })],
  ["POST", /^\/interactions\/(\d+)\/([^/]+)\/callback$/, interactionCallback],
  ["POST", /^\/webhooks\/(\d+)\/([^/]+)$/, interactionFollowUp],
];

export function routeRest(ctx: RestContext, req: RestRequest): FakeResponse {
  for (const [method, pattern, handler] of ROUTES) {
    if (method !== req.method) continue;
    const m = pattern.exec(req.path);
    if (m) return handler(ctx, req, m.slice(1));
  }
  return discordError(404, 0, "404: Not Found");
}

/**
 * How long Discord remembers an enforced nonce. Its documentation says "the past few minutes" without a number;
 * the fake keeps three. A nonce whose message was deleted since creates a new message (not documented either).
 */
const NONCE_MEMORY_MS = 3 * 60_000;

function createMessage(ctx: RestContext, req: RestRequest, [cid]: string[]): FakeResponse {
  const channel = ctx.world.channels.get(cid!);
  if (!channel) return discordError(404, 10003, "Unknown Channel");
  // A forum holds posts only: messages go into a post (a thread), never into the forum itself.
  if (channel.type === 15) return discordError(400, 50008, "Cannot send messages in a non-text channel");
  const body = (req.json ?? {}) as MessageBody;
  const problem = validateMessageBody(body, req.files.length, false);
  if (problem) return problem;
  // "If true and nonce is present, it will be checked for uniqueness in the past few minutes. If another message
  // was created by the same author with the same nonce, that message will be returned and no new message will be
  // created." (Create Message, enforce_nonce)
  const nonceKey = body.nonce !== undefined && body.enforce_nonce === true ? `${ctx.botUserId}/${String(body.nonce)}` : undefined;
  const earlier = nonceKey ? ctx.world.nonces.get(nonceKey) : undefined;
  if (earlier && fakeNowMs() - earlier.at < NONCE_MEMORY_MS && !earlier.message.deleted) {
    return { status: 200, body: { ...toWire(earlier.message), nonce: body.nonce } };
  }
  const id = ctx.ids.next();
  const reference = body.message_reference;
  const referenced = reference ? ctx.world.findMessage(cid!, reference.message_id) : undefined;
  const message = ctx.world.storeMessage({
    id,
    channel_id: cid!,
    ...(channel.guild_id && { guild_id: channel.guild_id }),
    author: ctx.world.user(ctx.botUserId),
    content: storedContent(body.content),
    embeds: body.embeds ?? [],
    components: body.components ?? [],
    attachments: req.files.map((f) => storeUpload(ctx, cid!, f)),
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    type: reference ? 19 : 0,
    flags: flagsAfter(0, body.flags),
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    pinned: false,
    ...(reference && { message_reference: { message_id: reference.message_id, channel_id: cid!, ...(channel.guild_id && { guild_id: channel.guild_id }) } }),
    ...(referenced && { referenced_message: referenced }),
    edits: [],
    deleted: false,
    allowedMentions: body.allowed_mentions,
  });
  if (typeof channel.message_count === "number") channel.message_count++;
  if (nonceKey) ctx.world.nonces.set(nonceKey, { message, at: fakeNowMs() });
  // The nonce comes back in the create answer and the MESSAGE_CREATE event only (fetched messages do not carry it).
  const withNonce = { ...toWire(message), ...(body.nonce !== undefined && { nonce: body.nonce }) };
  // Discord sends the bot its own messages back.
  ctx.gateway.dispatch("MESSAGE_CREATE", withNonce);
  return { status: 200, body: withNonce };
}

function storeUpload(ctx: RestContext, channelId: string, file: UploadedFile): FakeAttachment {
  const id = ctx.ids.next();
  const url = ctx.cdn.host(channelId, id, file.filename, file.data, file.contentType || "application/octet-stream");
  return { id, filename: file.filename, content_type: file.contentType, size: file.data.byteLength, url, proxy_url: url };
}

function editMessage(ctx: RestContext, req: RestRequest, [cid, mid]: string[]): FakeResponse {
  const message = ctx.world.findMessage(cid!, mid!);
  if (!message) return discordError(404, 10008, "Unknown Message");
  if (message.author.id !== ctx.botUserId) return discordError(403, 50005, "Cannot edit a message authored by another user");
  const body = (req.json ?? {}) as MessageBody;
  const problem = validateMessageBody(body, req.files.length, true, message.flags);
  if (problem) return problem;
  message.flags = flagsAfter(message.flags, body.flags);
  if (body.content !== undefined) message.content = storedContent(body.content);
  if (body.components !== undefined) message.components = body.components;
  if (body.embeds !== undefined) message.embeds = body.embeds;
  if (body.allowed_mentions !== undefined) message.allowedMentions = body.allowed_mentions;
  if ((message.content ?? "").trim() === "" && message.components.length === 0 && message.embeds.length === 0 && message.attachments.length === 0) {
    return discordError(400, 50006, "Cannot send an empty message");
  }
  message.edited_timestamp = new Date().toISOString();
  message.edits.push({ at: fakeNowMs(), content: message.content, components: message.components, embeds: message.embeds });
  ctx.gateway.dispatch("MESSAGE_UPDATE", toWire(message));
  return { status: 200, body: toWire(message) };
}

function listMessages(ctx: RestContext, req: RestRequest, [cid]: string[]): FakeResponse {
  if (!ctx.world.channels.has(cid!)) return discordError(404, 10003, "Unknown Channel");
  const limit = Math.min(100, Math.max(1, Number(req.query.get("limit") ?? "50")));
  const before = req.query.get("before");
  const after = req.query.get("after");
  const all = (ctx.world.messages.get(cid!) ?? []).filter((m) => !m.deleted);
  const selected = all
    .filter((m) => (before ? compareSnowflakes(m.id, before) < 0 : true) && (after ? compareSnowflakes(m.id, after) > 0 : true))
    .sort((a, b) => compareSnowflakes(b.id, a.id))
    .slice(0, limit);
  return { status: 200, body: selected.map(toWire) };
}

function startThread(ctx: RestContext, req: RestRequest, [cid, mid]: string[]): FakeResponse {
  const parent = ctx.world.channels.get(cid!);
  if (!parent?.guild_id) return discordError(404, 10003, "Unknown Channel");
  if (parent.type !== 0 && parent.type !== 5) return discordError(400, 50024, "Cannot execute action on this channel type");
  const starter = ctx.world.findMessage(cid!, mid!);
  if (!starter) return discordError(404, 10008, "Unknown Message");
  if (ctx.world.channels.has(mid!)) return discordError(400, 160004, "A thread has already been created for this message");
  const name = String((req.json as { name?: string } | undefined)?.name ?? "");
  if (name.length === 0 || name.length > 100)
    return discordError(400, 50035, "Invalid Form Body", {
      name: { _errors: [{ code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 1 and 100 in length." }] },
    });
  const thread = ctx.world.addChannel(threadChannel(mid!, cid!, parent.guild_id, ctx.botUserId, name, parent.type === 5 ? 10 : 11));
  ctx.gateway.dispatch("THREAD_CREATE", { ...thread, newly_created: true });
  return { status: 201, body: thread };
}

function interactionCallback(ctx: RestContext, req: RestRequest, [iid, token]: string[]): FakeResponse {
  if (ctx.interactions.get(iid!)?.token !== token) return discordError(404, 10062, "Unknown interaction");
  if (ctx.interactionCallbacks.some((c) => c.interactionId === iid)) {
    return discordError(400, 40060, "Interaction has already been acknowledged.");
  }
  const body = (req.json ?? {}) as { type?: number; data?: unknown };
  if (body.type === 9) {
    // MODAL: "Not available for MODAL_SUBMIT and PING interactions"; custom_id 1-100, title 1-45, 1-5 components.
    const modal = (body.data ?? {}) as { custom_id?: string; title?: string; components?: unknown[] };
    const kind = ctx.interactions.get(iid!)?.kind;
    const bad =
      kind === "modal_submit" ||
      !modal.custom_id ||
      modal.custom_id.length > 100 ||
      !modal.title ||
      [...modal.title].length > 45 ||
      !Array.isArray(modal.components) ||
      modal.components.length < 1 ||
      modal.components.length > 5;
    if (bad) return discordError(400, 50035, "Invalid Form Body");
  }
  ctx.interactionCallbacks.push({ interactionId: iid!, type: body.type ?? 0, data: body.data, at: fakeNowMs() });
  return { status: 204 };
}

/**
 * A follow-up to an acknowledged interaction. The token is the credential (no bot Authorization). Before the
 * interaction has its initial response there is no webhook to post to yet, which Discord reports as 10015.
 */
function interactionFollowUp(ctx: RestContext, req: RestRequest, [appId, token]: string[]): FakeResponse {
  const interaction = [...ctx.interactions.values()].find((i) => i.token === token);
  if (!interaction || interaction.applicationId !== appId) return discordError(404, 10015, "Unknown Webhook");
  if (!ctx.interactionCallbacks.some((c) => c.interactionId === interaction.id)) return discordError(404, 10015, "Unknown Webhook");
  const body = (req.json ?? {}) as MessageBody & { flags?: number };
  const problem = validateMessageBody(body, req.files.length, false);
  if (problem) return problem;
  const flags = body.flags ?? 0;
  const ephemeral = (flags & 64) !== 0;
  ctx.interactionFollowUps.push({
    interactionId: interaction.id,
    userId: interaction.userId,
    channelId: interaction.channelId,
    content: storedContent(body.content),
    flags,
    ephemeral,
    at: fakeNowMs(),
  });
  const channel = ctx.world.channels.get(interaction.channelId);
  const message: StoredMessage = {
    id: ctx.ids.next(),
    channel_id: interaction.channelId,
    ...(channel?.guild_id && { guild_id: channel.guild_id }),
    author: ctx.world.user(ctx.botUserId),
    content: storedContent(body.content),
    embeds: body.embeds ?? [],
    components: body.components ?? [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    type: 0,
    flags,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    pinned: false,
    webhook_id: appId!,
    edits: [],
    deleted: false,
    allowedMentions: body.allowed_mentions,
  };
  // Ephemeral messages exist only for the user who clicked: never in the channel, never on the gateway.
  if (!ephemeral) {
    ctx.world.storeMessage(message);
    ctx.gateway.dispatch("MESSAGE_CREATE", toWire(message));
  } else ctx.ephemeralFollowUps.set(message.id, message);
  return { status: 200, body: toWire(message) };
}

/**
 * Discord keeps a message's `content` with leading and trailing whitespace removed (what the API returns and
 * clients show; observed behaviour, which the API reference does not spell out).
 */
function storedContent(content: string | null | undefined): string {
  return (content ?? "").trim();
}
