import { MessageFlags, type REST, Routes } from "discord.js";
import { PlatformValidationError } from "../../src/contracts/errors.js";
import type { MessageContent, MessageRef, ReplyTarget } from "../../src/contracts/messages.js";
import { translateDiscordError } from "./errors.js";
import type { DiscordRenderer } from "./render.js";

/**
 * Answers that live in a command's interaction response: `/ask ephemeral:true` (only the caller sees them) and
 * the confirmation of `/new`. The deferred response ("… is thinking") becomes the placeholder, later parts are
 * follow-ups, and edits go to the interaction webhook (discord.com/developers/docs/interactions/receiving-and-
 * responding: "Edit Original Interaction Response", valid for 15 minutes). The token travels in the hints so
 * whichever worker streams the answer can reach it; its key ends in "token" so logs never show it.
 */
const INTERACTION_HINT = {
  applicationId: "interactionApplication",
  token: "interactionToken",
  ephemeral: "interactionEphemeral",
  message: "interactionMessage",
} as const;

interface InteractionPlace {
  readonly applicationId: string;
  readonly token: string;
  readonly ephemeral: boolean;
}

export function interactionPlace(place: { readonly hints?: Readonly<Record<string, string>> }): InteractionPlace | null {
  const applicationId = place.hints?.[INTERACTION_HINT.applicationId];
  const token = place.hints?.[INTERACTION_HINT.token];
  if (!applicationId || !token) return null;
  return { applicationId, token, ephemeral: place.hints?.[INTERACTION_HINT.ephemeral] === "1" };
}

export function interactionTargetHints(applicationId: string, token: string, ephemeral: boolean): Record<string, string> {
  return { [INTERACTION_HINT.applicationId]: applicationId, [INTERACTION_HINT.token]: token, [INTERACTION_HINT.ephemeral]: ephemeral ? "1" : "0" };
}

/** The placeholder (part 0) fills the deferred response; any other post is a follow-up. */
export async function postInteractionReply(
  rest: REST,
  target: ReplyTarget,
  at: InteractionPlace,
  content: MessageContent,
  isFirst: boolean,
  render: DiscordRenderer,
): Promise<MessageRef> {
  const { body } = render(content);
  let id: string;
  try {
    if (isFirst) {
      id = ((await rest.patch(Routes.webhookMessage(at.applicationId, at.token, "@original"), { body, auth: false })) as { id: string }).id;
    } else {
      const flags = ("flags" in body ? body.flags : 0) | (at.ephemeral ? MessageFlags.Ephemeral : 0);
      id = ((await rest.post(Routes.webhook(at.applicationId, at.token), { body: { ...body, flags }, auth: false })) as { id: string }).id;
    }
  } catch (err) {
    throw translateDiscordError(err, { action: "answer a command" });
  }
  return {
    platform: "discord",
    workspaceId: target.workspaceId,
    channelId: target.channelId,
    messageId: id,
    hints: { ...target.hints, [INTERACTION_HINT.message]: isFirst ? "@original" : id },
  };
}

function webhookMessage(ref: MessageRef, at: InteractionPlace): `/${string}` {
  return Routes.webhookMessage(at.applicationId, at.token, ref.hints?.[INTERACTION_HINT.message] ?? ref.messageId);
}

export async function editInteractionReply(rest: REST, ref: MessageRef, at: InteractionPlace, content: MessageContent, render: DiscordRenderer): Promise<void> {
  const { body } = render(content);
  try {
    await rest.patch(webhookMessage(ref, at), { body, auth: false });
  } catch (err) {
    throw translateDiscordError(err, { action: "edit a command's answer" });
  }
}

export async function deleteInteractionReply(rest: REST, ref: MessageRef, at: InteractionPlace): Promise<void> {
  try {
    await rest.delete(webhookMessage(ref, at), { auth: false });
  } catch (err) {
    throw translateDiscordError(err, { action: "delete a command's answer" });
  }
}

/** Files would be posted in the channel, where everyone sees them: not for an answer only the caller sees. */
export function ephemeralFilesRefused(): PlatformValidationError {
  return new PlatformValidationError("discord", "unsupported", "files cannot be attached to an answer only the caller sees");
}
