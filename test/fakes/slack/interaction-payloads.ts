import { randomUUID } from "node:crypto";
import type { FakeSlackTeam } from "./fake-team.js";
import type { FakeSlackMessage } from "./message-store.js";
import { slackTs } from "./payloads.js";

/**
 * Slash command and message shortcut payloads as Slack sends them (docs.slack.dev "Implementing slash commands":
 * form-encoded fields `token, team_id, team_domain, channel_id, channel_name, user_id, user_name, command, text,
 * api_app_id, is_enterprise_install, response_url, trigger_id`; "Shortcuts payloads": `type: message_action` with
 * `callback_id, trigger_id, response_url, team, channel, user, message, message_ts, action_ts`).
 */

export interface CommandInit {
  readonly command: string;
  readonly text: string;
  readonly user: string;
  readonly userName?: string;
  readonly channel: string;
  readonly channelName?: string;
}

export interface ShortcutInit {
  readonly callbackId: string;
  /** Who used the shortcut. */
  readonly user: string;
  readonly userName?: string;
  readonly channel: string;
  /** The stored message it was used on. */
  readonly ts: string;
  /** The message's `files[]` as events carry them (from `hostFile`). */
  readonly files?: readonly Record<string, unknown>[];
}

const triggerId = () => `${Math.floor(Date.now() / 1000)}.${Math.floor(Math.random() * 1e9)}.${randomUUID().replace(/-/g, "")}`;

export function slashCommandBody(team: FakeSlackTeam, init: CommandInit, responseUrl: string): Record<string, string> {
  return {
    token: "fake-verification-token",
    team_id: team.teamId,
    team_domain: "fake",
    channel_id: init.channel,
    channel_name: init.channelName ?? (init.channel.startsWith("D") ? "directmessage" : "general"),
    user_id: init.user,
    user_name: init.userName ?? init.user,
    command: init.command,
    text: init.text,
    api_app_id: team.appId,
    is_enterprise_install: "false",
    response_url: responseUrl,
    trigger_id: triggerId(),
  };
}

export function messageShortcutPayload(team: FakeSlackTeam, init: ShortcutInit, message: FakeSlackMessage, responseUrl: string): Record<string, unknown> {
  return {
    type: "message_action",
    token: "fake-verification-token",
    action_ts: slackTs(),
    team: { id: team.teamId, domain: "fake" },
    user: { id: init.user, username: init.userName ?? init.user, name: init.userName ?? init.user, team_id: team.teamId },
    channel: { id: init.channel, name: init.channel.startsWith("D") ? "directmessage" : "general" },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: init.callbackId,
    trigger_id: triggerId(),
    response_url: responseUrl,
    message_ts: message.ts,
    message: {
      type: "message",
      user: message.user,
      ts: message.ts,
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      text: message.text,
      ...(message.botId ? { bot_id: message.botId } : {}),
      ...(init.files ? { files: init.files } : {}),
    },
  };
}
