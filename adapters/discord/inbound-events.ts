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
import type { Logger } from "../../src/contracts/logger.js";
import type { DiscordConfig } from "./config.js";
import type { RecentInteractions } from "./ephemeral-notices.js";
import { discordErrorForLog } from "./errors.js";
import { normalizeButtonClick, snapshotButtonClick } from "./interactions.js";
import { snapshotMessage } from "./message-snapshot.js";
import { type NormalizeContext, normalizeMessage } from "./normalize.js";
import { normalizeReaction } from "./reactions.js";

type Filters = Pick<DiscordConfig, "allowedGuilds" | "allowedChannels" | "allowDirectMessages">;

/**
 * Subscribes to the gateway and hands normalized events to the sink, one at a time in arrival order (two
 * messages in a thread must be queued in the order they were written). Button clicks are remembered in
 * `interactions` before the core sees them, so a notice for the person who clicked can be shown to them alone.
 * Returns the unsubscribe function.
 */
export function forwardInboundEvents(client: Client<true>, sink: InboundSink, filters: Filters, logger: Logger, interactions?: RecentInteractions): () => void {
  const botUserId = client.user.id;
  const ctx: NormalizeContext = { botUserId, ...filters };
  let tail: Promise<void> = Promise.resolve();
  const deliver = (describe: Record<string, unknown>, produce: () => Promise<InboundEvent | null>): void => {
    tail = tail.then(async () => {
      try {
        const event = await produce();
        if (event) await sink(event);
      } catch (err) {
        // Discord does not redeliver gateway events: log loudly, keep the stream going.
        logger.error({ err, ...describe }, "discord event could not be handed to the core");
      }
    });
  };
  const guildAllowed = (guildId: string | null | undefined): boolean =>
    !guildId || filters.allowedGuilds.length === 0 || filters.allowedGuilds.includes(guildId);

  const onMessage = (message: Message): void => {
    // Snapshot now: the cache (thread owner, roles) is read as it was when the message arrived.
    const snap = snapshotMessage(message);
    deliver({ messageId: snap.id }, async () => {
      const result = normalizeMessage(snap, ctx);
      if (result.kind === "ignored") {
        logger.debug({ messageId: snap.id, reason: result.reason }, "discord message ignored");
        return null;
      }
      return { kind: "message", message: result.message };
    });
  };

  // Reactions come from raw payloads: discord.js drops those in DM channels it has not cached.
  const onReaction = (data: GatewayMessageReactionAddDispatchData | GatewayMessageReactionRemoveDispatchData, added: boolean): void => {
    if (!guildAllowed(data.guild_id)) return;
    deliver({ messageId: data.message_id }, async () => ({
      kind: "reaction",
      reaction: normalizeReaction(data, added, {
        botUserId,
        isKnownBot: (id) => client.users.cache.get(id)?.bot === true,
        now: () => new Date(),
      }),
    }));
  };

  const onInteraction = (interaction: Interaction): void => {
    if (!interaction.isButton()) return;
    const snap = snapshotButtonClick(interaction);
    interactions?.remember({ channelId: snap.channelId, userId: snap.user.id, applicationId: interaction.applicationId, token: interaction.token });
    // Discord wants an answer within 3 s whatever happens next; type 6 keeps the message as it is.
    const acknowledged = interaction.deferUpdate().then(
      () => true,
      (err: unknown) => {
        logger.warn({ err: discordErrorForLog(err), interactionId: snap.interactionId }, "discord button click could not be acknowledged");
        return false;
      },
    );
    deliver({ interactionId: snap.interactionId }, async () => {
      await acknowledged;
      if (!guildAllowed(snap.guildId)) return null;
      return { kind: "action", action: normalizeButtonClick(snap) };
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
