import {
  type Client,
  Events,
  GatewayDispatchEvents,
  type GatewayMessageReactionAddDispatchData,
  type GatewayMessageReactionRemoveDispatchData,
  type Interaction,
  type Message,
} from "discord.js";
import type { InboundEvent, InboundSink } from "../../src/contracts/chat-platform.js";
import type { FormDialogSource } from "../../src/contracts/forms.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { IgnoreReason } from "../shared/normalized.js";
import { acknowledge, type CommandInteraction, isBridgeCommand, normalizeCommand } from "./command-interactions.js";
import type { DiscordConfig } from "./config.js";
import type { RecentInteractions } from "./ephemeral-notices.js";
import { discordErrorForLog } from "./errors.js";
import { showFormModal, snapshotModalSubmit, submittedValues } from "./form-dialogs.js";
import { type ButtonClickSnapshot, normalizeButtonClick, snapshotButtonClick } from "./interactions.js";
import { snapshotMessage } from "./message-snapshot.js";
import { type NormalizeContext, normalizeMessage } from "./normalize.js";
import { normalizeReaction } from "./reactions.js";

type Filters = Pick<DiscordConfig, "allowedGuilds" | "allowedChannels" | "allowDirectMessages">;

/** An event the normalizers dropped, and why (logged at debug). */
interface IgnoredEvent {
  readonly what: string;
  readonly reason: IgnoreReason;
}

/**
 * Subscribes to the gateway and hands normalized events to the sink, one at a time in arrival order (two
 * messages in a thread must be queued in the order they were written). Button clicks are remembered in
 * `interactions` before the core sees them, so a notice for the person who clicked can be shown to them alone.
 * Returns the unsubscribe function.
 */
export function forwardInboundEvents(
  client: Client<true>,
  sink: InboundSink,
  filters: Filters,
  logger: Logger,
  interactions?: RecentInteractions,
  askAboutName: string | null = null,
  forms?: FormDialogSource,
): () => void {
  const botUserId = client.user.id;
  const ctx: NormalizeContext = { botUserId, ...filters };
  let tail: Promise<void> = Promise.resolve();
  const deliver = (describe: Record<string, unknown>, produce: () => Promise<InboundEvent | IgnoredEvent | null>): void => {
    tail = tail.then(async () => {
      try {
        const event = await produce();
        if (event === null) return;
        if ("reason" in event) {
          logger.debug({ ...describe, reason: event.reason }, `discord ${event.what} ignored`);
          const channelId = typeof describe.channelId === "string" ? { channelId: describe.channelId } : {};
          await sink({ kind: "ignored", platform: "discord", what: event.what, reason: event.reason, ...channelId });
        } else await sink(event);
      } catch (err) {
        // Discord does not redeliver gateway events: log loudly, keep the stream going.
        logger.error({ err, ...describe }, "discord event could not be handed to the core");
      }
    });
  };

  const onMessage = (message: Message): void => {
    // Snapshot now: the cache (thread owner, roles) is read as it was when the message arrived.
    const snap = snapshotMessage(message);
    deliver({ messageId: snap.id, channelId: snap.channel.id }, async () => {
      const result = normalizeMessage(snap, ctx);
      return result.kind === "kept" ? { kind: "message", message: result.value } : { what: "message", reason: result.reason };
    });
  };

  // Reactions come from raw payloads: discord.js drops those in DM channels it has not cached.
  const onReaction = (data: GatewayMessageReactionAddDispatchData | GatewayMessageReactionRemoveDispatchData, added: boolean): void => {
    deliver({ messageId: data.message_id }, async () => {
      const result = normalizeReaction(data, added, {
        botUserId,
        allowedGuilds: filters.allowedGuilds,
        isKnownBot: (id) => client.users.cache.get(id)?.bot === true,
        now: () => new Date(),
      });
      return result.kind === "kept" ? { kind: "reaction", reaction: result.value } : { what: "reaction", reason: result.reason };
    });
  };

  const onCommand = (interaction: CommandInteraction): void => {
    const receivedAt = new Date().toISOString();
    const acknowledged = acknowledge(interaction).then(
      () => true,
      (err: unknown) => {
        logger.warn({ err: discordErrorForLog(err), interactionId: interaction.id }, "discord command could not be acknowledged");
        return false;
      },
    );
    const tell = (content: string) =>
      interaction
        .editReply({ content, allowedMentions: { parse: [] } })
        .catch((err: unknown) => logger.warn({ err: discordErrorForLog(err) }, "could not answer a discord command"));
    deliver({ interactionId: interaction.id, command: interaction.commandName }, async () => {
      if (!(await acknowledged)) return { what: "command", reason: "incomplete" };
      const outcome = await normalizeCommand(interaction, ctx, receivedAt);
      if (outcome.kind === "told") {
        await tell(outcome.text);
        return { what: "command", reason: "not_addressed" };
      }
      if (outcome.kind === "ignored") {
        await tell("I'm not enabled here.");
        return { what: "command", reason: outcome.reason };
      }
      try {
        await sink({ kind: "message", message: outcome.value });
      } catch (err) {
        await tell("⚠️ Sorry, I could not take your question just now. Please try again.");
        throw err;
      }
      // A question answered elsewhere (a thread from the message): the caller's deferred response says where.
      if (interaction.isMessageContextMenuCommand()) await tell("↪️ Answering in the thread.");
      return null;
    });
  };

  const forward = (snap: ButtonClickSnapshot, acknowledged: Promise<unknown>, values?: Record<string, string>): void => {
    deliver({ interactionId: snap.interactionId }, async () => {
      await acknowledged;
      const result = normalizeButtonClick(snap, filters);
      if (result.kind !== "kept") return { what: "button click", reason: result.reason };
      return { kind: "action", action: values ? { ...result.value, values } : result.value };
    });
  };
  const ackWith = (ack: () => Promise<unknown>, interactionId: string, what: string): Promise<boolean> =>
    ack().then(
      () => true,
      (err: unknown) => {
        logger.warn({ err: discordErrorForLog(err), interactionId }, `discord ${what} could not be acknowledged`);
        return false;
      },
    );

  const onInteraction = (interaction: Interaction): void => {
    if (isBridgeCommand(interaction, askAboutName)) return onCommand(interaction);
    if (interaction.isModalSubmit()) {
      // A form modal's submission: acknowledged like a click (type 6), forwarded as the click with its values.
      const snap = snapshotModalSubmit(interaction);
      if (!snap) return;
      forward(
        snap,
        ackWith(() => interaction.deferUpdate(), snap.interactionId, "form submission"),
        submittedValues(interaction),
      );
      return;
    }
    if (!interaction.isButton()) return;
    const snap = snapshotButtonClick(interaction);
    interactions?.remember({ channelId: snap.channelId, userId: snap.user.id, applicationId: interaction.applicationId, token: interaction.token });
    // Discord wants an answer within 3 s whatever happens next: a modal for a form with fields (the submission is
    // forwarded instead), otherwise type 6, which keeps the message as it is.
    const dialog = forms ? forms(snap.customId).catch(() => null) : Promise.resolve(null);
    void dialog.then((d) => {
      if (d) {
        void ackWith(() => showFormModal(interaction, d), snap.interactionId, "form button");
        return;
      }
      forward(
        snap,
        ackWith(() => interaction.deferUpdate(), snap.interactionId, "button click"),
      );
    });
  };

  const onReactionAdd = (data: GatewayMessageReactionAddDispatchData): void => onReaction(data, true);
  const onReactionRemove = (data: GatewayMessageReactionRemoveDispatchData): void => onReaction(data, false);

  client.on(Events.MessageCreate, onMessage);
  client.on(Events.InteractionCreate, onInteraction);
  client.ws.on(GatewayDispatchEvents.MessageReactionAdd, onReactionAdd);
  client.ws.on(GatewayDispatchEvents.MessageReactionRemove, onReactionRemove);
  return () => {
    client.off(Events.MessageCreate, onMessage);
    client.off(Events.InteractionCreate, onInteraction);
    client.ws.removeListener(GatewayDispatchEvents.MessageReactionAdd, onReactionAdd);
    client.ws.removeListener(GatewayDispatchEvents.MessageReactionRemove, onReactionRemove);
  };
}
