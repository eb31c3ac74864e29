import { createHash } from "node:crypto";
import { type APIMessage, type REST, Routes } from "discord.js";
import type { PostKey, PostOptions } from "../../src/contracts/chat-platform.js";
import { PlatformNotFoundError } from "../../src/contracts/errors.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { MessageContent, MessageRef, ReplyTarget } from "../../src/contracts/messages.js";
import { translateDiscordError } from "./errors.js";
import { DM_WORKSPACE_ID } from "./limits.js";
import type { DiscordRenderer } from "./render.js";
import type { Destination, ThreadStarter } from "./thread-starter.js";

/** Sending permission differs inside threads; name the right one when Discord says 50013. */
function sendPermission(dest: Destination, target: ReplyTarget): string {
  // Guild conversations live in threads, except replies where no thread could be made.
  return target.workspaceId === DM_WORKSPACE_ID || dest.replyToMessageId ? "Send Messages" : "Send Messages in Threads";
}

/** Discord's `nonce` holds at most 25 characters; turn ids are longer, so the key is hashed into that room. */
const NONCE_CHARS = 25;

/**
 * The nonce of a keyed post. With `enforce_nonce`, Discord checks it "for uniqueness in the past few minutes" and
 * answers a repeat by the same author with the message it already created, so a worker that died before recording
 * its placeholder re-posts it and gets the first one back.
 */
function nonceFor(key: PostKey): string {
  return createHash("sha256").update(`${key.turnId}#${key.part}`).digest("base64url").slice(0, NONCE_CHARS);
}

/** Post, edit, delete and typing over REST only, so they work in a worker process with no gateway. */
export class MessageOperations {
  constructor(
    private readonly rest: REST,
    private readonly threads: ThreadStarter,
    private readonly logger: Logger,
    /** Plain content, or Components V2 (DISCORD_COMPONENTS_V2). */
    private readonly render: DiscordRenderer,
  ) {}

  async postMessage(target: ReplyTarget, content: MessageContent, opts: PostOptions = {}): Promise<MessageRef> {
    const dest = await this.threads.resolve(target);
    const rendered = this.#render(content);
    const body = {
      ...rendered.body,
      ...(opts.key && { nonce: nonceFor(opts.key), enforce_nonce: true }),
      ...(dest.replyToMessageId && { message_reference: { message_id: dest.replyToMessageId, fail_if_not_exists: false } }),
    };
    try {
      const msg = (await this.rest.post(Routes.channelMessages(dest.channelId), { body })) as APIMessage;
      return messageRef(target, msg);
    } catch (err) {
      throw translateDiscordError(err, { action: "post message", permission: sendPermission(dest, target) });
    }
  }

  async editMessage(ref: MessageRef, content: MessageContent): Promise<void> {
    const rendered = this.#render(content);
    try {
      await this.rest.patch(Routes.channelMessage(ref.channelId, ref.messageId), { body: rendered.body });
    } catch (err) {
      throw translateDiscordError(err, { action: "edit message", permission: "Send Messages" });
    }
  }

  /** Idempotent: a message that is already gone counts as deleted. */
  async deleteMessage(ref: MessageRef): Promise<void> {
    try {
      await this.rest.delete(Routes.channelMessage(ref.channelId, ref.messageId));
    } catch (err) {
      const translated = translateDiscordError(err, { action: "delete message", permission: "Manage Messages" });
      if (!(translated instanceof PlatformNotFoundError)) throw translated;
    }
  }

  /** Typing lasts about 10 s; the core repeats it. Starts the conversation thread if it does not exist yet. */
  async sendTyping(target: ReplyTarget): Promise<void> {
    const dest = await this.threads.resolve(target);
    try {
      await this.rest.post(Routes.channelTyping(dest.channelId));
    } catch (err) {
      throw translateDiscordError(err, { action: "send typing", permission: sendPermission(dest, target) });
    }
  }

  #render(content: MessageContent): ReturnType<DiscordRenderer> {
    const rendered = this.render(content);
    if (rendered.warnings.length > 0) {
      this.logger.warn({ warnings: rendered.warnings }, "discord message adjusted to fit Discord's limits");
    }
    return rendered;
  }
}

/** Refs carry the workspace of the target (guild or "@dm") so reactions and buttons on them map back identically. */
export function messageRef(target: ReplyTarget, msg: Pick<APIMessage, "id" | "channel_id">): MessageRef {
  return { platform: "discord", workspaceId: target.workspaceId, channelId: msg.channel_id, messageId: msg.id };
}
