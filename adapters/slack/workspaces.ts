import type { WebClient } from "@slack/web-api";
import { PlatformAuthError, PlatformError } from "../../src/contracts/errors.js";
import type { VaultInstallationStore } from "./installation-store.js";

/** What outbound calls into one workspace need: its Web API client (its bot token) and who the bot is there. */
export interface SlackWorkspace {
  readonly client: WebClient;
  readonly botUserId: string;
  /** The bot's B… id where known: messages posted through other means may carry only bot_id. */
  readonly botId?: string;
  readonly token: string;
}

/** The workspace a message lives in → its client. Outbound calls know only the workspace id (ReplyTarget, MessageRef). */
export type SlackWorkspaces = (workspaceId: string) => Promise<SlackWorkspace>;

/** One bot token (SLACK_BOT_TOKEN): every workspace id maps to it; the bot user is known once auth.test ran at start. */
export function singleTokenWorkspace(
  client: WebClient,
  token: string,
  identity: () => { readonly botUserId: string; readonly botId: string } | undefined,
): SlackWorkspaces {
  return async () => {
    const id = identity();
    if (id === undefined) throw new PlatformError("slack", "the Slack adapter is not started");
    return { client, botUserId: id.botUserId, botId: id.botId, token };
  };
}

/** Bounded: one client per installed workspace this process has spoken to; the oldest goes first. */
const MAX_CLIENTS = 1_000;

/**
 * OAuth installs: each workspace's own installation (or its org's) from the vault, one WebClient per bot token.
 * A workspace without an installation is an auth failure: nothing in it may be answered with another token.
 */
export function installedWorkspaces(store: VaultInstallationStore, newClient: (token: string) => WebClient): SlackWorkspaces {
  const clients = new Map<string, WebClient>();
  return async (workspaceId) => {
    const installation = await store.forWorkspace(workspaceId);
    const bot = installation?.bot;
    if (bot === undefined) throw new PlatformAuthError("slack", `the Slack app is not installed in workspace ${workspaceId}`);
    let client = clients.get(bot.token);
    if (client === undefined) {
      if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value as string);
      client = newClient(bot.token);
      clients.set(bot.token, client);
    }
    return { client, botUserId: bot.userId, ...(bot.id ? { botId: bot.id } : {}), token: bot.token };
  };
}
