import { fakeNowMs } from "../clock.js";
import type { FakeGateway } from "./gateway.js";
import { discordError, type FakeResponse } from "./http-body.js";
import { FAKE_IDS, type SnowflakeGenerator } from "./ids.js";
import { flagsAfter, IS_COMPONENTS_V2, type MessageBody, validateMessageBody } from "./message-validation.js";
import type { FakeInteraction, InteractionCallbackRecord, RestRequest } from "./rest-api.js";
import { toWire } from "./wire.js";
import type { FakeWorld, StoredMessage } from "./world.js";

/**
 * Application commands as Discord documents them (discord.com/developers/docs/interactions/application-commands):
 * - Registration: PUT /applications/{app}/commands (global) and PUT /applications/{app}/guilds/{guild}/commands
 *   replace the whole set ("bulk overwrite"); GET lists it. CHAT_INPUT (type 1) names match
 *   ^[-_\p{L}\p{N}]{1,32}$ in lower case and need a 1-100 character description; USER (2) and MESSAGE (3)
 *   commands have a 1-32 character name of any case and an empty description; at most 25 options, required
 *   options before optional ones; names unique per type. A bad body is 400 50035 "Invalid Form Body".
 * - Invocation: INTERACTION_CREATE type 2 (APPLICATION_COMMAND) with `data: { id, name, type, options,
 *   resolved, target_id }`; attachment options (type 11) carry the attachment id, its object is in
 *   `resolved.attachments`; a message command's target is in `resolved.messages`.
 * - Responses: the callback (type 4 message, type 5 deferred, flags 64 = ephemeral) creates the "original"
 *   response, a message in the channel (type 20 CHAT_INPUT_COMMAND / 23 CONTEXT_MENU_COMMAND) unless ephemeral;
 *   PATCH/GET/DELETE /webhooks/{app}/{token}/messages/@original (or /{message_id} for a follow-up) edit, read or
 *   delete it, with the interaction token as the only credential.
 */

export interface RegisteredCommand {
  readonly id: string;
  readonly application_id: string;
  readonly guild_id?: string;
  readonly name: string;
  readonly type: number;
  readonly description: string;
  readonly options?: ReadonlyArray<{ readonly name: string; readonly type: number; readonly required?: boolean; readonly description?: string }>;
}

/** The original response of one interaction: what the invoking user (and, unless ephemeral, the channel) sees. */
export interface FakeInteractionResponse {
  readonly interactionId: string;
  readonly ephemeral: boolean;
  readonly message: StoredMessage;
}

const CHAT_INPUT_NAME = /^[-_\p{L}\p{N}]{1,32}$/u;

function invalid(field: string, message: string): FakeResponse {
  return discordError(400, 50035, "Invalid Form Body", { [field]: { _errors: [{ code: "INVALID", message }] } });
}

function validateCommands(body: unknown): FakeResponse | null {
  if (!Array.isArray(body)) return invalid("_root", "Expected an array of commands");
  const seen = new Set<string>();
  for (const [i, raw] of body.entries()) {
    const c = raw as { name?: unknown; type?: unknown; description?: unknown; options?: unknown };
    const type = typeof c.type === "number" ? c.type : 1;
    const name = typeof c.name === "string" ? c.name : "";
    const description = typeof c.description === "string" ? c.description : "";
    if (type === 1) {
      if (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()) return invalid(`${i}.name`, "Command name is invalid");
      if (description.length < 1 || description.length > 100) return invalid(`${i}.description`, "Must be between 1 and 100 in length.");
    } else {
      if (name.length < 1 || name.length > 32) return invalid(`${i}.name`, "Must be between 1 and 32 in length.");
      if (description !== "") return invalid(`${i}.description`, "Context menu commands cannot have a description");
    }
    const key = `${type}:${name}`;
    if (seen.has(key)) return invalid(`${i}.name`, "Application command names must be unique");
    seen.add(key);
    const options = Array.isArray(c.options) ? (c.options as Array<{ required?: boolean; name?: string; description?: string }>) : [];
    if (options.length > 25) return invalid(`${i}.options`, "Must be 25 or fewer in length.");
    let optionalSeen = false;
    for (const o of options) {
      if (!o.required) optionalSeen = true;
      else if (optionalSeen) return invalid(`${i}.options`, "Required options must be placed before non-required options");
      if (!o.name || !CHAT_INPUT_NAME.test(o.name) || (o.description ?? "").length < 1) return invalid(`${i}.options`, "Option name or description is invalid");
    }
  }
  return null;
}

export class FakeApplicationCommands {
  /** Key: "global" or the guild id. */
  readonly registered = new Map<string, RegisteredCommand[]>();
  /** Every registration request (PUT), in order. */
  readonly registrations: Array<{ readonly scope: string; readonly status: number; readonly at: number }> = [];
  readonly responses = new Map<string, FakeInteractionResponse>();
  /** Ephemeral follow-ups by id (they are never in the channel). */
  readonly ephemeralFollowUps = new Map<string, StoredMessage>();

  constructor(
    private readonly world: FakeWorld,
    private readonly gateway: FakeGateway,
    private readonly ids: SnowflakeGenerator,
    private readonly interactions: Map<string, FakeInteraction>,
    private readonly callbacks: InteractionCallbackRecord[],
  ) {}

  /** The commands a user in `guildId` (or a DM) can run: global ones plus that guild's. */
  available(guildId: string | undefined): RegisteredCommand[] {
    return [...(this.registered.get("global") ?? []), ...(guildId ? (this.registered.get(guildId) ?? []) : [])];
  }

  /** Answers the routes this module owns; undefined for every other path. */
  route(req: RestRequest): FakeResponse | undefined {
    const reg = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(req.path);
    if (reg) return this.#registration(req, reg[1] as string, reg[2]);
    // Paths arrive as sent: discord.js encodes "@original" as "%40original", which Discord decodes.
    const original = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|%40original|\d+)$/.exec(req.path);
    if (original) return this.#webhookMessage(req, original[1] as string, original[2] as string, decodeURIComponent(original[3] as string));
    return undefined;
  }

  /** After a successful callback: a message response (4) or a deferral (5) creates the original response. */
  afterCallback(interactionId: string): void {
    const cb = this.callbacks.find((c) => c.interactionId === interactionId);
    const interaction = this.interactions.get(interactionId);
    if (!cb || !interaction || (cb.type !== 4 && cb.type !== 5) || this.responses.has(interactionId)) return;
    const data = (cb.data ?? {}) as MessageBody & { flags?: number };
    const flags = (data.flags ?? 0) | (cb.type === 5 ? 128 : 0); // 128: LOADING ("… is thinking")
    const ephemeral = (flags & 64) !== 0;
    const message = this.#message(interaction, {
      content: cb.type === 4 ? (data.content ?? "") : "",
      flags,
      type: interaction.kind === "message_command" ? 23 : 20,
    });
    this.responses.set(interactionId, { interactionId, ephemeral, message });
    if (!ephemeral) {
      this.world.storeMessage(message);
      this.gateway.dispatch("MESSAGE_CREATE", toWire(message));
    }
  }

  #registration(req: RestRequest, appId: string, guildId: string | undefined): FakeResponse {
    if (appId !== FAKE_IDS.application) return discordError(403, 50001, "Missing Access");
    if (guildId !== undefined && !this.world.guilds.has(guildId)) return discordError(403, 50001, "Missing Access");
    const scope = guildId ?? "global";
    if (req.method === "GET") return { status: 200, body: this.registered.get(scope) ?? [] };
    if (req.method !== "PUT") return discordError(405, 0, "405: Method Not Allowed");
    const problem = validateCommands(req.json);
    this.registrations.push({ scope, status: problem?.status ?? 200, at: fakeNowMs() });
    if (problem) return problem;
    const commands = (req.json as Array<Omit<RegisteredCommand, "id" | "application_id">>).map((c) => ({
      ...c,
      type: c.type ?? 1,
      description: c.description ?? "",
      id: this.ids.next(),
      application_id: appId,
      ...(guildId ? { guild_id: guildId } : {}),
    }));
    this.registered.set(scope, commands);
    return { status: 200, body: commands };
  }

  #webhookMessage(req: RestRequest, appId: string, token: string, which: string): FakeResponse {
    const interaction = [...this.interactions.values()].find((i) => i.token === token);
    if (!interaction || interaction.applicationId !== appId) return discordError(404, 10015, "Unknown Webhook");
    const original = this.responses.get(interaction.id);
    if (!original) return discordError(404, 10015, "Unknown Webhook");
    const message = which === "@original" ? original.message : this.#followUp(interaction.channelId, which);
    if (!message || message.deleted) return discordError(404, 10008, "Unknown Message");
    if (req.method === "GET") return { status: 200, body: toWire(message) };
    if (req.method === "DELETE") {
      message.deleted = true;
      return { status: 204 };
    }
    if (req.method !== "PATCH") return discordError(405, 0, "405: Method Not Allowed");
    const body = (req.json ?? {}) as MessageBody;
    const problem = validateMessageBody(
      {
        ...body,
        content: body.content ?? ((message.flags & IS_COMPONENTS_V2) !== 0 || ((body.flags ?? 0) & IS_COMPONENTS_V2) !== 0 ? undefined : message.content),
      },
      req.files.length,
      true,
      message.flags,
    );
    if (problem) return problem;
    message.flags = flagsAfter(message.flags, body.flags);
    if (body.content !== undefined) message.content = body.content ?? "";
    if (body.components !== undefined) message.components = body.components as unknown[];
    if (body.embeds !== undefined) message.embeds = body.embeds as unknown[];
    message.flags &= ~128; // the first edit ends "thinking"
    message.edited_timestamp = new Date().toISOString();
    message.edits.push({ at: fakeNowMs(), content: message.content, components: message.components, embeds: message.embeds });
    if (!original.ephemeral || which !== "@original") this.gateway.dispatch("MESSAGE_UPDATE", toWire(message));
    return { status: 200, body: toWire(message) };
  }

  #followUp(channelId: string, id: string): StoredMessage | undefined {
    return this.world.findMessage(channelId, id) ?? this.ephemeralFollowUps.get(id);
  }

  #message(interaction: FakeInteraction, init: { content: string; flags: number; type: number }): StoredMessage {
    const channel = this.world.channels.get(interaction.channelId);
    return {
      id: this.ids.next(),
      channel_id: interaction.channelId,
      ...(channel?.guild_id && { guild_id: channel.guild_id }),
      author: this.world.user(FAKE_IDS.bot),
      content: init.content,
      embeds: [],
      components: [],
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      type: init.type,
      flags: init.flags,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      pinned: false,
      webhook_id: interaction.applicationId,
      edits: [],
      deleted: false,
    };
  }
}
