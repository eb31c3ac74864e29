import { type APIMessage, type REST, Routes } from "discord.js";
import { PlatformNotFoundError } from "../../src/contracts/errors.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { MessageContent, MessageRef, ReplyTarget } from "../../src/contracts/messages.js";
import { translateDiscordError } from "./errors.js";
import { DM_WORKSPACE_ID } from "./limits.js";
import { type RenderResult, renderMessage } from "./render.js";
import type { Destination, ThreadStarter } from "./thread-starter.js";

/** Sending permission differs inside threads; name the right one when Discord says 50013. */
function sendPermission(dest: Destination, target: ReplyTarget): string {
  // Guild conversations live in threads, except replies where no thread could be made.
  return target.workspaceId === DM_WORKSPACE_ID || dest.replyToMessageId ? "Send Messages" : "Send Messages in Threads";
}

/** Post, edit, delete and typing over REST only, so they work in a worker process with no gateway. */
export class MessageOperations {
  constructor(
    private readonly rest: REST,
    private readonly threads: ThreadStarter,
    private readonly logger: Logger,
  ) {}

  async postMessage(target: ReplyTarget, content: MessageContent): Promise<MessageRef> {
    const dest = await this.threads.resolve(target);
    const rendered = this.#render(content);
    const body = {
      ...rendered.body,
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

  #render(content: MessageContent): RenderResult {
    const rendered = renderMessage(content);
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
