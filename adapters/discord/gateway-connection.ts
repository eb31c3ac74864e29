import { Client, Events, GatewayIntentBits, Partials } from "discord.js";
import { PlatformAuthError, PlatformError } from "../../src/contracts/errors.js";
import type { Logger } from "../../src/contracts/logger.js";
import { translateDiscordError } from "./errors.js";
import { inviteUrl, REQUIRED_PERMISSIONS } from "./permissions.js";
import { type DiscordRestSettings, discordRestOptions, observeRest } from "./rest-client.js";
import { clientShardOptions, type DiscordSharding } from "./sharding.js";

const BASE_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.GuildMessageReactions,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.DirectMessageReactions,
] as const;

/**
 * Message: reactions on uncached messages; Channel: DMs (dropped without it); Reaction/User: reactions whose
 * message or user the cache does not hold (after a restart).
 */
const PARTIALS = [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User];

export interface GatewayConnection {
  readonly client: Client<true>;
  /** False when the portal does not grant the Message Content intent and we run without it. */
  readonly hasMessageContent: boolean;
}

export interface GatewaySettings extends DiscordRestSettings {
  /** Time allowed from login to `clientReady`. @defaultValue 30_000 */
  readonly readyTimeoutMs?: number;
  /** @defaultValue Discord's recommended shard count, every shard in this process */
  readonly sharding?: DiscordSharding;
}

/**
 * Logs in and waits until every guild has arrived. If the portal refuses the privileged Message Content intent
 * (close 4014, "Used disallowed intents"), connects again without it: mentions and DMs still carry their text.
 */
export async function connectGateway(token: string, settings: GatewaySettings, logger: Logger): Promise<GatewayConnection> {
  try {
    const client = await login(token, [...BASE_INTENTS, GatewayIntentBits.MessageContent], settings, logger);
    reportReady(client, true, logger);
    return { client, hasMessageContent: true };
  } catch (err) {
    if (!isDisallowedIntents(err)) throw translateLoginError(err);
  }
  logger.error(
    {
      missingIntent: "MESSAGE_CONTENT",
      howToEnable: "Discord Developer Portal → Applications → (this app) → Bot → Privileged Gateway Intents → Message Content Intent",
    },
    "Discord refused the Message Content intent (close 4014). Running without it: mentions and DMs still work, " +
      "but follow-up messages in threads without a mention arrive empty and are ignored. Enable the intent and restart.",
  );
  try {
    const client = await login(token, [...BASE_INTENTS], settings, logger);
    reportReady(client, false, logger);
    return { client, hasMessageContent: false };
  } catch (err) {
    throw translateLoginError(err);
  }
}

async function login(token: string, intents: GatewayIntentBits[], settings: GatewaySettings, logger: Logger): Promise<Client<true>> {
  const client = new Client({ intents, partials: PARTIALS, rest: discordRestOptions(settings, logger), ...clientShardOptions(settings.sharding) });
  observeRest(client.rest, logger, settings.budgetSignals);
  client.on(Events.Error, (err) => logger.error({ err }, "discord client error"));
  client.on(Events.ShardError, (err) => logger.warn({ err }, "discord gateway connection error"));
  client.on(Events.ShardDisconnect, (event) => logger.warn({ code: event.code }, "discord gateway closed and will not reconnect"));
  // Also fires while stopping (a normal close), so it is not worth more than debug.
  client.on(Events.ShardReconnecting, () => logger.debug({}, "discord gateway reconnecting"));

  const ready = new Promise<Client<true>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new PlatformError("discord", "Discord gateway did not become ready in time")), settings.readyTimeoutMs ?? 30_000);
    timer.unref();
    client.once(Events.ClientReady, (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  try {
    await client.login(token);
    return await ready;
  } catch (err) {
    await client.destroy();
    throw err;
  }
}

function reportReady(client: Client<true>, hasMessageContent: boolean, logger: Logger): void {
  const guilds = [...client.guilds.cache.values()];
  logger.info(
    {
      botUserId: client.user.id,
      botName: client.user.username,
      guilds: guilds.length,
      messageContent: hasMessageContent,
      shards: [...client.ws.shards.keys()],
      shardCount: client.options.shardCount,
    },
    "discord gateway ready",
  );
  if (guilds.length === 0) {
    logger.warn(
      { inviteUrl: inviteUrl(client.application.id), permissions: REQUIRED_PERMISSIONS.map((p) => p.name) },
      "the Discord bot is in no server yet: open the invite URL to add it",
    );
  }
  for (const guild of guilds) {
    const me = guild.members.me;
    if (!me) continue;
    const missing = REQUIRED_PERMISSIONS.filter((p) => !me.permissions.has(p.bit)).map((p) => p.name);
    if (missing.length > 0) logger.warn({ guildId: guild.id, missing }, "the Discord bot lacks server permissions it needs");
  }
}

function isDisallowedIntents(err: unknown): boolean {
  return err instanceof Error && /disallowed intents/i.test(err.message);
}

function translateLoginError(err: unknown): PlatformError {
  if (err instanceof Error && /authentication failed/i.test(err.message)) {
    return new PlatformAuthError("discord", "Discord rejected the bot token", { cause: err });
  }
  return translateDiscordError(err, { action: "connect to the gateway" });
}
