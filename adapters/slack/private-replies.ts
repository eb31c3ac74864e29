import { randomUUID } from "node:crypto";
import { PlatformValidationError } from "../../src/contracts/errors.js";
import type { MessageContent, MessageRef, ReplyTarget } from "../../src/contracts/messages.js";
import { renderMessage } from "./render.js";
import { RESPONSE_URL_HINT, sendToResponseUrl } from "./response-url.js";

/**
 * Answers only the asker sees (`/ask private …`, `/ask-private`): posted and replaced through the command's
 * response_url, never with chat.postMessage / chat.update (an ephemeral message has no ts the Web API can edit).
 * The target and every message carry the webhook in their hints, so whichever worker streams the answer can
 * reach it.
 */

/** The webhook of a private answer's target or message; undefined for everything posted in the open. */
export function privateReplyUrl(place: { readonly hints?: Readonly<Record<string, string>> }): string | undefined {
  return place.hints?.[RESPONSE_URL_HINT];
}

/** Posts one more private message (the placeholder, or a continuation of a long answer). */
export async function postPrivateReply(target: ReplyTarget, url: string, content: MessageContent): Promise<MessageRef> {
  const payload = renderMessage(content);
  await sendToResponseUrl(url, { kind: "post", text: payload.text, blocks: payload.blocks, ephemeral: true });
  return {
    platform: "slack",
    workspaceId: target.workspaceId,
    channelId: target.channelId,
    // An ephemeral message has no ts the app learns; the id only has to be unique within the answer.
    messageId: `private-${randomUUID()}`,
    hints: { [RESPONSE_URL_HINT]: url },
  };
}

/** Replaces the latest private message of the interaction (what `replace_original` targets). */
export async function replacePrivateReply(url: string, content: MessageContent): Promise<void> {
  const payload = renderMessage(content);
  await sendToResponseUrl(url, { kind: "replace", text: payload.text, blocks: payload.blocks });
}

export async function deletePrivateReply(url: string): Promise<void> {
  await sendToResponseUrl(url, { kind: "delete" });
}

/** Files cannot go through a response_url; posting them in the channel would show a private answer to everyone. */
export function privateFilesRefused(): PlatformValidationError {
  return new PlatformValidationError("slack", "unsupported", "files cannot be attached to a private answer");
}
