import { ApplicationCommandOptionType, ApplicationCommandType, type Client, type REST, Routes } from "discord.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { DiscordConfig } from "./config.js";
import { discordErrorForLog } from "./errors.js";

/** Names of the chat commands and their options (Discord: lower case, 1-32 characters). */
export const DISCORD_COMMAND = { ask: "ask", newConversation: "new" } as const;
export const ASK_OPTION = { question: "question", ephemeral: "ephemeral", file: "file" } as const;

/** Discord caps a context-menu command's name at 32 characters. */
const MAX_MENU_NAME = 32;

/** The message command's name, "Ask <app> about this" when the app's name fits. */
function askAboutName(appName: string | null | undefined): string {
  const name = `Ask ${appName?.trim() ?? ""} about this`.replace(/\s+/g, " ");
  return appName?.trim() && [...name].length <= MAX_MENU_NAME ? name : "Ask about this";
}

/** What the bridge registers (discord.com/developers/docs/interactions/application-commands). */
function commandDefinitions(appName: string | null | undefined): unknown[] {
  return [
    {
      type: ApplicationCommandType.ChatInput,
      name: DISCORD_COMMAND.ask,
      description: "Ask the assistant; the answer goes in a thread",
      options: [
        { type: ApplicationCommandOptionType.String, name: ASK_OPTION.question, description: "Your question", required: true, max_length: 4000 },
        { type: ApplicationCommandOptionType.Boolean, name: ASK_OPTION.ephemeral, description: "Only you see the answer" },
        { type: ApplicationCommandOptionType.Attachment, name: ASK_OPTION.file, description: "A file to ask about" },
      ],
    },
    { type: ApplicationCommandType.ChatInput, name: DISCORD_COMMAND.newConversation, description: "Start a new conversation here" },
    { type: ApplicationCommandType.Message, name: askAboutName(appName) },
  ];
}

/**
 * Bulk-overwrites the commands at start, so the set always matches this version. A failure is logged, not
 * fatal: mentions and DMs keep working without commands.
 */
export async function registerApplicationCommands(
  client: Client<true>,
  rest: REST,
  config: Pick<DiscordConfig, "commands" | "allowedGuilds">,
  logger: Logger,
): Promise<string | null> {
  if (config.commands === "off") return null;
  let appName: string | null = null;
  try {
    appName = (await client.application.fetch()).name;
  } catch (err) {
    logger.warn({ err: discordErrorForLog(err) }, 'could not read the application\'s name; the message command is named "Ask about this"');
  }
  const body = commandDefinitions(appName);
  const appId = client.application.id;
  const guildIds =
    config.commands === "guild" ? [...client.guilds.cache.keys()].filter((id) => config.allowedGuilds.length === 0 || config.allowedGuilds.includes(id)) : [];
  const targets = config.commands === "global" ? [Routes.applicationCommands(appId)] : guildIds.map((g) => Routes.applicationGuildCommands(appId, g));
  for (const route of targets) {
    try {
      await rest.put(route, { body });
    } catch (err) {
      logger.warn({ err: discordErrorForLog(err), route }, "could not register the application commands");
    }
  }
  logger.info({ scope: config.commands, guilds: guildIds.length || undefined }, "discord application commands registered");
  return askAboutName(appName);
}
