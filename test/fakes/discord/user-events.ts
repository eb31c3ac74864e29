import { fakeNowMs } from "../clock.js";
import type { FakeApplicationCommands } from "./application-commands.js";
import type { FakeCdn } from "./cdn.js";
import { type FakeGateway, type GatewaySession, MESSAGE_CONTENT_INTENT } from "./gateway.js";
import { FAKE_IDS, type SnowflakeGenerator } from "./ids.js";
import type { FakeInteraction, InteractionCallbackRecord } from "./rest-api.js";
import { toWire } from "./wire.js";
import { type FakeAttachment, type FakeChannel, type FakeWorld, type StoredMessage, threadChannel } from "./world.js";

export interface AttachmentInput {
  readonly filename: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  /** Serve without Content-Length. */
  readonly omitLength?: boolean;
  /** The CDN sends one byte per this many ms (a stalling download). */
  readonly trickleMs?: number;
  readonly durationSecs?: number;
}

export interface UserMessageInput {
  readonly channelId: string;
  /** @defaultValue alice */
  readonly authorId?: string;
  /** Raw Discord content: mentions as <@id>, <@&role>, @everyone. */
  readonly content?: string;
  readonly attachments?: readonly AttachmentInput[];
  readonly flags?: number;
  /** MessageType; 0 default, 19 reply, 7 member join... @defaultValue 0 (19 with replyTo) */
  readonly type?: number;
  /** Reply to this message (same channel); `pingReply` adds its author to mentions, like the client's @ON. */
  readonly replyTo?: string;
  readonly pingReply?: boolean;
  readonly webhookId?: string;
  /**
   * Forward a message (discord.com/developers/docs/resources/message "Message Snapshot"): the forwarding message
   * has no content of its own, a `message_reference` of type 1 (FORWARD) and `message_snapshots: [{ message }]`
   * with the forwarded message's content and attachments (a subset of its fields).
   */
  readonly forward?: { readonly content: string; readonly attachments?: readonly AttachmentInput[]; readonly fromChannelId?: string };
}

/** Discord's flag for voice messages (1 << 13). */
export const IS_VOICE_MESSAGE = 1 << 13;

/**
 * What people do in Discord, turned into gateway dispatches. Every message is stored (so history, thread
 * creation and button clicks find it), and each session sees what its intents allow.
 */
export class UserEvents {
  readonly #dmChannels = new Map<string, string>();

  constructor(
    private readonly world: FakeWorld,
    private readonly gateway: FakeGateway,
    private readonly cdn: FakeCdn,
    private readonly ids: SnowflakeGenerator,
    private readonly interactions: Map<string, FakeInteraction>,
    private readonly commands: FakeApplicationCommands,
    private readonly callbacks: readonly InteractionCallbackRecord[] = [],
  ) {}

  /**
   * `/name` run by a user: INTERACTION_CREATE type 2 (APPLICATION_COMMAND), data type 1 (CHAT_INPUT). Only a
   * command registered for that place (globally or for its guild) can be run. `file` fills an ATTACHMENT option:
   * the option carries its id, `resolved.attachments` the attachment (served by the CDN).
   */
  runCommand(input: {
    channelId: string;
    name: string;
    userId?: string;
    options?: Record<string, string | boolean>;
    file?: { option: string } & AttachmentInput;
  }): { interactionId: string; token: string } {
    const channel = this.world.channel(input.channelId);
    const command = this.commands.available(channel.guild_id).find((c) => c.type === 1 && c.name === input.name);
    if (!command) throw new Error(`fake discord: no command /${input.name} is registered for ${channel.guild_id ?? "DMs"}`);
    const options: Array<Record<string, unknown>> = Object.entries(input.options ?? {}).map(([name, value]) => {
      const declared = command.options?.find((o) => o.name === name);
      if (!declared) throw new Error(`fake discord: /${input.name} has no option ${name}`);
      return { name, type: declared.type, value };
    });
    const resolved: Record<string, unknown> = {};
    if (input.file) {
      const att = this.#attachment(channel.id, input.file);
      options.push({ name: input.file.option, type: 11, value: att.id });
      resolved.attachments = { [att.id]: { ...att, ephemeral: true } };
    }
    return this.#dispatchInteraction(channel, input.userId, "chat_input", {
      id: command.id,
      name: command.name,
      type: 1,
      ...(command.guild_id && { guild_id: command.guild_id }),
      options,
      ...(Object.keys(resolved).length > 0 && { resolved }),
    });
  }

  /** A message command ("Apps" → name) used on a stored message: data type 3 with `target_id` and `resolved.messages`. */
  runMessageCommand(input: { channelId: string; messageId: string; name: string; userId?: string }): { interactionId: string; token: string } {
    const channel = this.world.channel(input.channelId);
    const command = this.commands.available(channel.guild_id).find((c) => c.type === 3 && c.name === input.name);
    if (!command) throw new Error(`fake discord: no message command "${input.name}" is registered for ${channel.guild_id ?? "DMs"}`);
    const message = this.world.findMessage(channel.id, input.messageId);
    if (!message || message.deleted) throw new Error(`fake discord: no message ${input.messageId} in ${channel.id}`);
    return this.#dispatchInteraction(channel, input.userId, "message_command", {
      id: command.id,
      name: command.name,
      type: 3,
      target_id: message.id,
      resolved: { messages: { [message.id]: toWire(message) } },
    });
  }

  /** The fields every INTERACTION_CREATE carries (discord.com/developers/docs/interactions/receiving-and-responding#interaction-object). */
  #interactionEnvelope(type: 2 | 3 | 5, interactionId: string, token: string, channel: FakeChannel, user: ReturnType<FakeWorld["user"]>) {
    return {
      id: interactionId,
      application_id: FAKE_IDS.application,
      type,
      token,
      version: 1,
      channel_id: channel.id,
      channel: {
        id: channel.id,
        type: channel.type,
        ...(channel.guild_id && { guild_id: channel.guild_id }),
        parent_id: channel.parent_id ?? null,
        name: channel.name,
        ...(channel.thread_metadata && { thread_metadata: channel.thread_metadata, owner_id: channel.owner_id }),
      },
      ...(channel.guild_id
        ? { guild_id: channel.guild_id, member: { ...this.#member(channel.guild_id, user.id), user, permissions: "2147483647" }, guild_locale: "en-US" }
        : { user }),
      locale: "en-US",
      app_permissions: "309237763072",
      entitlements: [],
      authorizing_integration_owners: {},
      context: channel.guild_id ? 0 : 1,
      attachment_size_limit: 10_485_760,
    };
  }

  #dispatchInteraction(channel: FakeChannel, userId: string | undefined, kind: "chat_input" | "message_command", data: Record<string, unknown>) {
    const user = this.world.user(userId ?? FAKE_IDS.alice);
    const interactionId = this.ids.next();
    const token = `fake-interaction-token-${interactionId}`;
    this.interactions.set(interactionId, { id: interactionId, token, applicationId: FAKE_IDS.application, channelId: channel.id, userId: user.id, kind });
    this.gateway.dispatch("INTERACTION_CREATE", {
      ...this.#interactionEnvelope(2, interactionId, token, channel, user),
      data,
    });
    return { interactionId, token };
  }

  /** A message in a guild channel or thread (or a DM channel). Returns the stored message. */
  sendMessage(input: UserMessageInput): StoredMessage {
    const channel = this.world.channel(input.channelId);
    if (channel.type === 15) throw new Error("fake discord: a forum holds only posts; use createForumPost");
    return this.#send(channel, input, this.ids.next());
  }

  /**
   * A user opens a post in a forum (discord.com/developers/docs/topics/threads#forums, "Start Thread in Forum or
   * Media Channel"): a PUBLIC_THREAD (11) whose parent is the forum, and its opening message, which has the same id
   * as the thread. THREAD_CREATE goes out first, then MESSAGE_CREATE for the opening message in the thread.
   */
  createForumPost(input: { forumId: string; title: string; authorId?: string; content?: string; attachments?: readonly AttachmentInput[] }): {
    thread: FakeChannel;
    starter: StoredMessage;
  } {
    const forum = this.world.channel(input.forumId);
    if (forum.type !== 15) throw new Error(`fake discord: ${forum.id} is not a forum`);
    const id = this.ids.next();
    const ownerId = input.authorId ?? FAKE_IDS.alice;
    const thread = this.world.addChannel({ ...threadChannel(id, forum.id, forum.guild_id!, ownerId, input.title, 11), message_count: 1, applied_tags: [] });
    this.gateway.dispatch("THREAD_CREATE", { ...thread, newly_created: true });
    const starter = this.#send(
      thread,
      {
        channelId: id,
        authorId: ownerId,
        ...(input.content !== undefined && { content: input.content }),
        ...(input.attachments && { attachments: input.attachments }),
      },
      id,
    );
    return { thread, starter };
  }

  #send(channel: FakeChannel, input: UserMessageInput, id: string): StoredMessage {
    const author = this.world.user(input.authorId ?? FAKE_IDS.alice);
    const content = input.content ?? "";
    const referenced = input.replyTo ? this.world.findMessage(channel.id, input.replyTo) : undefined;
    const mentions = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => this.world.users.get(m[1]!)).filter((u) => u !== undefined);
    if (referenced && input.pingReply && !mentions.some((u) => u.id === referenced.author.id)) mentions.push(referenced.author);
    const message = this.world.storeMessage({
      id,
      channel_id: channel.id,
      ...(channel.guild_id && { guild_id: channel.guild_id }),
      author,
      content,
      embeds: [],
      components: [],
      attachments: (input.attachments ?? []).map((a) => this.#attachment(channel.id, a)),
      mentions,
      mention_roles: [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1]!),
      mention_everyone: /@(everyone|here)\b/.test(content),
      type: input.type ?? (referenced ? 19 : 0),
      flags: input.flags ?? 0,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      pinned: false,
      ...(referenced && { message_reference: { message_id: referenced.id, channel_id: channel.id, ...(channel.guild_id && { guild_id: channel.guild_id }) } }),
      ...(referenced && { referenced_message: referenced }),
      ...(input.webhookId && { webhook_id: input.webhookId }),
      ...(input.forward && this.#forwarded(channel.id, input.forward)),
      edits: [],
      deleted: false,
    });
    const member = channel.guild_id ? this.#member(channel.guild_id, author.id) : undefined;
    this.gateway.dispatch("MESSAGE_CREATE", (session: GatewaySession) => ({
      ...this.#visibleTo(session, message),
      ...(member && { member }),
      ...(channel.type === 1 && { channel_type: 1 }),
    }));
    return message;
  }

  /** The author edits a stored message: MESSAGE_UPDATE, which the bridge must not answer again. */
  editMessage(channelId: string, messageId: string, content: string): StoredMessage {
    const message = this.world.findMessage(channelId, messageId);
    if (!message) throw new Error(`fake discord: no message ${messageId} in ${channelId}`);
    message.content = content;
    message.edited_timestamp = new Date().toISOString();
    message.edits.push({ at: fakeNowMs(), content, components: message.components, embeds: message.embeds });
    this.gateway.dispatch("MESSAGE_UPDATE", (session: GatewaySession) => this.#visibleTo(session, message));
    return message;
  }

  /** A DM from `authorId` to the bot (channel_type 1, no guild_id). */
  sendDirectMessage(input: Omit<UserMessageInput, "channelId"> & { authorId: string }): StoredMessage {
    return this.sendMessage({ ...input, channelId: this.dmChannel(input.authorId) });
  }

  /** A voice message: flags 8192 and one Ogg/Opus attachment served by the fake CDN. */
  sendVoiceMessage(input: { channelId: string; authorId?: string; audio: Uint8Array; durationSecs?: number }): StoredMessage {
    return this.sendMessage({
      channelId: input.channelId,
      ...(input.authorId && { authorId: input.authorId }),
      flags: IS_VOICE_MESSAGE,
      attachments: [{ filename: "voice-message.ogg", contentType: "audio/ogg", data: input.audio, durationSecs: input.durationSecs ?? 2.5 }],
    });
  }

  /** The DM channel between the bot and a user (created on first use). */
  dmChannel(userId: string): string {
    let id = this.#dmChannels.get(userId);
    if (!id) {
      id = this.ids.next();
      this.world.addChannel({ id, type: 1, recipients: [this.world.user(userId)] });
      this.#dmChannels.set(userId, id);
    }
    return id;
  }

  /** A user creates a thread (optionally from a message); THREAD_CREATE goes to every session. */
  createThread(input: { parentId: string; name: string; ownerId?: string; fromMessageId?: string }): FakeChannel {
    const parent = this.world.channel(input.parentId);
    const id = input.fromMessageId ?? this.ids.next();
    const ownerId = input.ownerId ?? FAKE_IDS.alice;
    const thread = this.world.addChannel(threadChannel(id, parent.id, parent.guild_id!, ownerId, input.name, parent.type === 5 ? 10 : 11));
    const starter = input.fromMessageId ? this.world.findMessage(parent.id, input.fromMessageId) : undefined;
    if (starter) {
      // Discord puts a THREAD_STARTER_MESSAGE (type 21) pointing at the starter first in such threads.
      this.world.storeMessage({
        ...starter,
        id: this.ids.next(),
        channel_id: id,
        content: "",
        type: 21,
        mentions: [],
        attachments: [],
        message_reference: { message_id: starter.id, channel_id: parent.id, ...(parent.guild_id && { guild_id: parent.guild_id }) },
        referenced_message: starter,
        edits: [],
        deleted: false,
      });
    }
    this.gateway.dispatch("THREAD_CREATE", { ...thread, newly_created: true });
    return thread;
  }

  /** MESSAGE_REACTION_ADD / REMOVE; `emoji` is a unicode string or a custom emoji. Adds carry `member` in guilds. */
  react(input: { channelId: string; messageId: string; userId: string; emoji: string | { id: string; name: string }; add?: boolean }): void {
    const channel = this.world.channel(input.channelId);
    const add = input.add ?? true;
    const emoji = typeof input.emoji === "string" ? { id: null, name: input.emoji } : input.emoji;
    const member = add && channel.guild_id ? { ...this.#member(channel.guild_id, input.userId), user: this.world.user(input.userId) } : undefined;
    this.gateway.dispatch(add ? "MESSAGE_REACTION_ADD" : "MESSAGE_REACTION_REMOVE", {
      user_id: input.userId,
      channel_id: channel.id,
      message_id: input.messageId,
      ...(channel.guild_id && { guild_id: channel.guild_id }),
      emoji,
      burst: false,
      type: 0,
      ...(member && { member, message_author_id: this.world.findMessage(channel.id, input.messageId)?.author.id }),
    });
  }

  /**
   * A click on a button of a stored message: INTERACTION_CREATE type 3 whose `data.custom_id` is "the custom_id
   * to be sent in the interaction when clicked" (discord.com/developers/docs/components/reference#button). Only a
   * button the message shows can be clicked; anything else is a test error. Returns the interaction id and token.
   */
  clickButton(input: { channelId: string; messageId: string; customId: string; userId?: string }): { interactionId: string; token: string } {
    const channel = this.world.channel(input.channelId);
    const message = this.world.findMessage(channel.id, input.messageId);
    if (!message || message.deleted) throw new Error(`fake discord: no message ${input.messageId} in ${channel.id}`);
    if (!buttonIds(message).includes(input.customId)) throw new Error(`fake discord: message ${message.id} shows no button "${input.customId}"`);
    const user = this.world.user(input.userId ?? FAKE_IDS.alice);
    const interactionId = this.ids.next();
    const token = `fake-interaction-token-${interactionId}`;
    this.interactions.set(interactionId, {
      id: interactionId,
      token,
      applicationId: FAKE_IDS.application,
      channelId: channel.id,
      userId: user.id,
      messageId: message.id,
    });
    this.gateway.dispatch("INTERACTION_CREATE", {
      ...this.#interactionEnvelope(3, interactionId, token, channel, user),
      message: toWire(message),
      data: { custom_id: input.customId, component_type: 2 },
    });
    return { interactionId, token };
  }

  /**
   * The person who got a modal (callback type 9 to their click `interactionId`) fills it in and submits it:
   * INTERACTION_CREATE type 5 (MODAL_SUBMIT) with the modal's `custom_id`, the message the button was on, and one
   * component interaction response per field (discord.com/developers/docs/components/reference: a Label holding
   * a text input's `value` or a string select's `values`). `values` by the field's `custom_id`.
   */
  submitModal(input: { interactionId: string; values: Readonly<Record<string, string>> }): { interactionId: string; token: string } {
    const click = this.interactions.get(input.interactionId);
    const shown = this.callbacks.find((c) => c.interactionId === input.interactionId && c.type === 9);
    if (!click?.messageId || !shown) throw new Error(`fake discord: interaction ${input.interactionId} was not answered with a modal`);
    const modal = shown.data as {
      custom_id: string;
      components: Array<{
        type: number;
        component?: { type: number; custom_id: string; value?: string; options?: Array<{ value: string; default?: boolean }> };
      }>;
    };
    const channel = this.world.channel(click.channelId);
    const message = this.world.findMessage(channel.id, click.messageId);
    if (!message || message.deleted) throw new Error(`fake discord: the message ${click.messageId} is gone`);
    const user = this.world.user(click.userId);
    let n = 1;
    const components = modal.components.map((label) => {
      const c = label.component;
      if (label.type !== 18 || !c) throw new Error("fake discord: modal components must be labels holding an input");
      const given = input.values[c.custom_id];
      const inner =
        c.type === 3
          ? {
              type: 3,
              id: n + 1,
              custom_id: c.custom_id,
              values: given !== undefined ? [given] : (c.options ?? []).filter((o) => o.default).map((o) => o.value),
            }
          : { type: 4, id: n + 1, custom_id: c.custom_id, value: given ?? c.value ?? "" };
      if (c.type === 3 && given !== undefined && !(c.options ?? []).some((o) => o.value === given))
        throw new Error(`fake discord: "${given}" is not an option`);
      const out = { type: 18, id: n, component: inner };
      n += 2;
      return out;
    });
    const interactionId = this.ids.next();
    const token = `fake-interaction-token-${interactionId}`;
    this.interactions.set(interactionId, {
      id: interactionId,
      token,
      applicationId: FAKE_IDS.application,
      channelId: channel.id,
      userId: user.id,
      kind: "modal_submit",
      messageId: message.id,
    });
    this.gateway.dispatch("INTERACTION_CREATE", {
      ...this.#interactionEnvelope(5, interactionId, token, channel, user),
      message: toWire(message),
      data: { custom_id: modal.custom_id, components },
    });
    return { interactionId, token };
  }

  #forwarded(channelId: string, f: NonNullable<UserMessageInput["forward"]>): Pick<StoredMessage, "message_reference" | "message_snapshots"> {
    const from = f.fromChannelId ?? FAKE_IDS.general;
    return {
      message_reference: { type: 1, message_id: this.ids.next(), channel_id: from },
      message_snapshots: [
        {
          message: {
            type: 0,
            content: f.content,
            embeds: [],
            attachments: (f.attachments ?? []).map((a) => this.#attachment(channelId, a)),
            timestamp: new Date().toISOString(),
            edited_timestamp: null,
            flags: 0,
            mentions: [],
            mention_roles: [],
          },
        },
      ],
    };
  }

  #attachment(channelId: string, a: AttachmentInput): FakeAttachment {
    const id = this.ids.next();
    const url = this.cdn.host(channelId, id, a.filename, a.data, a.contentType, { omitLength: a.omitLength, trickleMs: a.trickleMs });
    return {
      id,
      filename: a.filename,
      content_type: a.contentType,
      size: a.data.byteLength,
      url,
      proxy_url: url,
      ...(a.durationSecs !== undefined && { duration_secs: a.durationSecs, waveform: Buffer.alloc(32, 128).toString("base64") }),
    };
  }

  #member(guildId: string, userId: string): Record<string, unknown> {
    const roles = this.world.guilds.get(guildId)?.memberRoles.get(userId) ?? [];
    return { roles, joined_at: new Date(Date.UTC(2025, 0, 1)).toISOString(), nick: null, deaf: false, mute: false, flags: 0 };
  }

  /** Without the Message Content intent, guild messages that do not mention the bot arrive empty. */
  #visibleTo(session: GatewaySession, message: StoredMessage): Record<string, unknown> {
    const wire = toWire(message);
    const readable =
      (session.intents & MESSAGE_CONTENT_INTENT) !== 0 ||
      !message.guild_id ||
      message.author.id === FAKE_IDS.bot ||
      message.mentions.some((u) => u.id === FAKE_IDS.bot);
    return readable ? wire : { ...wire, content: "", embeds: [], attachments: [], components: [] };
  }
}

/** custom_ids of the buttons a message shows: in its action rows, and in those inside containers (Components V2). */
function buttonIds(message: StoredMessage): string[] {
  type Node = { type?: number; custom_id?: string; components?: Node[] };
  const walk = (nodes: Node[]): string[] => nodes.flatMap((n) => (n.type === 2 && n.custom_id !== undefined ? [n.custom_id] : walk(n.components ?? [])));
  return walk(message.components as Node[]);
}
