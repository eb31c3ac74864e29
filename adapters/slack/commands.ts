import type { App, Context } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { InboundSink } from "../../src/contracts/chat-platform.js";
import type { Logger } from "../../src/contracts/logger.js";
import {
  ASK_SHORTCUT_CALLBACK_ID,
  commandAsker,
  commandIntent,
  normalizeMessageShortcut,
  privateAskMessage,
  publicAskMessage,
  SLACK_COMMANDS,
} from "./command-normalize.js";
import { callSlack } from "./errors.js";
import { mentionedUserIds } from "./markup.js";
import type { NormalizeContext } from "./normalize.js";
import { isTrustedResponseUrl, sendToResponseUrl } from "./response-url.js";
import type { SlackMessageShortcut, SlackSlashCommand } from "./slack-payloads.js";
import type { UserDirectory } from "./user-directory.js";

export interface CommandListenerDeps {
  readonly sink: InboundSink;
  readonly logger: Logger;
  readonly apiUrl: string;
  readonly isCustomApiUrl: boolean;
  readonly scope: (bolt: Context) => { readonly context: NormalizeContext; readonly users: UserDirectory };
}

const NOT_TAKEN = "⚠️ Sorry, I could not take your question just now. Please try again.";
const CANNOT_POST = "⚠️ I can't post in this conversation. Invite me to the channel (`/invite @me`), or ask privately with `/ask private …`.";
const NOT_HERE = "I'm not enabled in this channel.";
const NEW_CONVERSATION =
  "🆕 Your next message to me starts a new conversation: every message outside a thread starts its own, and replies in a thread continue that thread's. Use `/new <question>` to start one right away.";

/**
 * `/ask`, `/ask-private`, `/new` and the "Ask … about this" message shortcut. Slack never redelivers a command or
 * a shortcut, and wants its acknowledgement within 3 seconds: each is acknowledged first, and anything that goes
 * wrong afterwards is told to the person through the response_url instead of being lost silently.
 */
export function registerSlackCommands(app: App, deps: CommandListenerDeps): void {
  const { logger } = deps;
  const now = () => new Date().toISOString();

  const tell = async (responseUrl: string | undefined, text: string) => {
    if (responseUrl === undefined || !isTrustedResponseUrl(responseUrl, deps.apiUrl, deps.isCustomApiUrl)) {
      logger.warn({ platform: "slack" }, "no trusted response_url to tell the user");
      return;
    }
    await sendToResponseUrl(responseUrl, { kind: "post", text, blocks: [], ephemeral: true }).catch((err: unknown) =>
      logger.warn({ platform: "slack", err }, "could not answer through the response_url"),
    );
  };

  const onCommand = async (body: SlackSlashCommand, bolt: Context, client: WebClient) => {
    const { context, users } = deps.scope(bolt);
    const intent = commandIntent(body.command ?? "", body.text ?? "");
    if (intent.kind === "usage") return tell(body.response_url, intent.text);
    if (intent.kind === "new" && intent.question === "") return tell(body.response_url, NEW_CONVERSATION);
    const named = { ...context, userNames: await users.namesOf([body.user_id ?? "", ...mentionedUserIds(intent.question)].filter(Boolean)) };
    const asker = commandAsker(body, named);
    if (asker.kind === "ignored") {
      logger.debug({ platform: "slack", command: body.command, reason: asker.reason }, "slack command ignored");
      return tell(body.response_url, asker.reason === "channel_not_allowed" ? NOT_HERE : NOT_TAKEN);
    }
    const isPrivate = intent.kind === "ask" && intent.isPrivate;
    const receivedAt = now();
    let message: ReturnType<typeof publicAskMessage>;
    if (isPrivate) {
      const responseUrl = body.response_url;
      if (responseUrl === undefined || !isTrustedResponseUrl(responseUrl, deps.apiUrl, deps.isCustomApiUrl)) {
        logger.warn({ platform: "slack", command: body.command }, "slack command without a trusted response_url; not answered");
        return;
      }
      message = privateAskMessage(
        { ...body, trigger_id: body.trigger_id as string, response_url: responseUrl },
        named,
        asker.value,
        intent.question,
        receivedAt,
      );
    } else {
      const rootTs = await postQuestion(client, asker.value.channelId, asker.value.userId, intent.question).catch((err: unknown) => {
        logger.warn({ platform: "slack", err, command: body.command }, "could not post the question of a slash command");
        return undefined;
      });
      if (rootTs === undefined) return tell(body.response_url, CANNOT_POST);
      message = publicAskMessage(named, asker.value, intent.question, rootTs, receivedAt);
    }
    logger.debug({ platform: "slack", dedupeKey: message.dedupeKey, command: body.command, isPrivate }, "slack command received");
    try {
      await deps.sink({ kind: "message", message });
    } catch (err) {
      logger.warn({ platform: "slack", err, command: body.command }, "slack command not taken: handing it to the queue failed");
      await tell(body.response_url, NOT_TAKEN);
    }
  };

  for (const name of Object.values(SLACK_COMMANDS)) {
    app.command(name, async ({ ack, body, context, client }) => {
      await ack();
      await onCommand(body as SlackSlashCommand, context, client);
    });
  }

  app.shortcut(ASK_SHORTCUT_CALLBACK_ID, async ({ ack, body, context }) => {
    await ack();
    const payload = body as unknown as SlackMessageShortcut;
    const { context: base, users } = deps.scope(context);
    const ids = [payload.user?.id, payload.message?.user, ...mentionedUserIds(payload.message?.text ?? "")].filter((id): id is string => !!id);
    const normalized = normalizeMessageShortcut(payload, { ...base, userNames: await users.namesOf(ids) }, now());
    if (normalized.kind === "ignored") {
      logger.debug({ platform: "slack", reason: normalized.reason }, "slack shortcut ignored");
      if (normalized.reason === "channel_not_allowed") await tell(payload.response_url, NOT_HERE);
      return;
    }
    try {
      await deps.sink({ kind: "message", message: normalized.value });
    } catch (err) {
      logger.warn({ platform: "slack", err }, "slack shortcut not taken: handing it to the queue failed");
      await tell(payload.response_url, NOT_TAKEN);
    }
  });
}

/** The question as a message in the channel, saying who asked: its thread holds the answer. */
export async function postQuestion(client: WebClient, channel: string, userId: string, question: string): Promise<string | undefined> {
  const text = `<@${userId}> asked:\n>${question.replace(/\n/g, "\n>")}`;
  const res = await callSlack("chat.postMessage", () =>
    client.chat.postMessage({ channel, text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }], unfurl_links: false, unfurl_media: false }),
  );
  return res.ts;
}
