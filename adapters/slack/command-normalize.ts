import type { InboundAttachment, InboundMessage, ReplyTarget } from "../../src/contracts/messages.js";
import { ignored, kept, type Normalized } from "../shared/normalized.js";
import { encodeConversationKey, messageDedupeKey } from "./ids.js";
import { slackMarkupToMarkdown } from "./markup.js";
import { type NormalizeContext, normalizeSlackFile } from "./normalize.js";
import { RESPONSE_URL_HINT } from "./response-url.js";
import type { SlackMessageShortcut, SlackSlashCommand } from "./slack-payloads.js";

/** The commands the app declares (slack-app-manifest.yml) and the message shortcut's callback id. */
export const SLACK_COMMANDS = { ask: "/ask", askPrivate: "/ask-private", newConversation: "/new" } as const;
export const ASK_SHORTCUT_CALLBACK_ID = "ask_about_message";

/** What a command asks for. `/ask private …` is the same as `/ask-private …`. */
export type SlackCommandIntent =
  | { readonly kind: "ask"; readonly question: string; readonly isPrivate: boolean }
  | { readonly kind: "new"; readonly question: string }
  | { readonly kind: "usage"; readonly text: string };

const PRIVATE_OPTION = /^\s*private\b[:\s]*/i;

export function commandIntent(command: string, rawText: string): SlackCommandIntent {
  const text = rawText.trim();
  if (command === SLACK_COMMANDS.newConversation) return { kind: "new", question: text };
  const isPrivateOption = command === SLACK_COMMANDS.ask && PRIVATE_OPTION.test(text);
  const isPrivate = command === SLACK_COMMANDS.askPrivate || isPrivateOption;
  const question = isPrivateOption ? text.replace(PRIVATE_OPTION, "").trim() : text;
  if (question === "") {
    return { kind: "usage", text: `Type your question after the command: \`${command} What is our refund policy?\`` };
  }
  return { kind: "ask", question, isPrivate };
}

const isDirectChannel = (channelId: string) => channelId.startsWith("D");

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "-");

export interface CommandAsker {
  readonly userId: string;
  readonly displayName: string;
  readonly recipientTeamId: string;
}

function commandMessage(
  cmd: { readonly channelId: string; readonly question: string; readonly receivedAt: string },
  ctx: NormalizeContext,
  asker: CommandAsker,
  place: { readonly messageId: string; readonly dedupeKey: string; readonly threadId: string; readonly target: ReplyTarget },
): InboundMessage {
  return {
    platform: "slack",
    messageId: place.messageId,
    dedupeKey: place.dedupeKey,
    conversationKey: encodeConversationKey({ workspaceId: ctx.teamId, channelId: cmd.channelId, threadId: place.threadId }),
    replyTarget: place.target,
    author: { userId: asker.userId, displayName: asker.displayName },
    text: slackMarkupToMarkdown(cmd.question, { botUserId: ctx.botUserId, ...(ctx.userNames ? { userNames: ctx.userNames } : {}) }),
    isDirectMessage: isDirectChannel(cmd.channelId),
    // A command is addressed to the bot by definition.
    mentionsBot: true,
    mentionsOthers: false,
    inExistingThread: false,
    attachments: [],
    receivedAt: cmd.receivedAt,
  };
}

/** Who ran the command, or why it cannot be taken (missing ids, a channel outside the allow-list). */
export function commandAsker(body: SlackSlashCommand, ctx: NormalizeContext): Normalized<CommandAsker & { readonly channelId: string }> {
  const { user_id: userId, channel_id: channelId } = body;
  if (userId === undefined || channelId === undefined || body.trigger_id === undefined) return ignored("incomplete");
  if (!isDirectChannel(channelId) && ctx.allowedChannels.length > 0 && !ctx.allowedChannels.includes(channelId)) return ignored("channel_not_allowed");
  return kept({ userId, channelId, displayName: ctx.userNames?.[userId] || body.user_name || userId, recipientTeamId: body.team_id ?? ctx.teamId });
}

/**
 * A public `/ask`: the question was posted as `rootTs` (showing who asked), and the answer goes in its thread,
 * exactly like a mention's.
 */
export function publicAskMessage(
  ctx: NormalizeContext,
  asker: CommandAsker & { readonly channelId: string },
  question: string,
  rootTs: string,
  receivedAt: string,
): InboundMessage {
  const channelId = asker.channelId;
  return commandMessage({ channelId, question, receivedAt }, ctx, asker, {
    messageId: rootTs,
    dedupeKey: messageDedupeKey(ctx.teamId, channelId, rootTs),
    threadId: rootTs,
    target: {
      platform: "slack",
      workspaceId: ctx.teamId,
      channelId,
      threadId: rootTs,
      hints: { channelType: isDirectChannel(channelId) ? "im" : "channel", recipientTeamId: asker.recipientTeamId },
    },
  });
}

/**
 * A private `/ask`: its own conversation, answered only to the asker through the command's response_url. The
 * trigger id is unique per invocation, so it names both the conversation and the delivery.
 */
export function privateAskMessage(
  body: SlackSlashCommand & { readonly trigger_id: string; readonly response_url: string },
  ctx: NormalizeContext,
  asker: CommandAsker & { readonly channelId: string },
  question: string,
  receivedAt: string,
): InboundMessage {
  const channelId = asker.channelId;
  const id = safe(body.trigger_id);
  return commandMessage({ channelId, question, receivedAt }, ctx, asker, {
    messageId: `private-${id}`,
    dedupeKey: `slack-command_${safe(ctx.teamId)}_${id}`,
    threadId: `private-${id}`,
    target: {
      platform: "slack",
      workspaceId: ctx.teamId,
      channelId,
      hints: { channelType: isDirectChannel(channelId) ? "im" : "channel", recipientTeamId: asker.recipientTeamId, [RESPONSE_URL_HINT]: body.response_url },
    },
  });
}

/** The question an "Ask about this" shortcut sends: the message, said to be the subject, with who wrote it. */
function aboutMessageText(authorName: string, markdown: string): string {
  const quoted = markdown.trim() === "" ? "(no text)" : markdown.trim();
  return `Please help with this message from ${authorName}:\n\n${quoted}`;
}

/**
 * A message shortcut "Ask … about this": the message's text and files become the question, answered in the
 * message's thread (a new one under it, or the thread it sits in) like a mention there.
 */
export function normalizeMessageShortcut(body: SlackMessageShortcut, ctx: NormalizeContext, receivedAt: string): Normalized<InboundMessage> {
  if (body.type !== "message_action" || body.callback_id !== ASK_SHORTCUT_CALLBACK_ID) return ignored("unsupported_event");
  const userId = body.user?.id;
  const channelId = body.channel?.id;
  const message = body.message;
  const ts = message?.ts ?? body.message_ts;
  if (userId === undefined || channelId === undefined || message === undefined || ts === undefined || body.trigger_id === undefined)
    return ignored("incomplete");
  const isDm = isDirectChannel(channelId);
  if (!isDm && ctx.allowedChannels.length > 0 && !ctx.allowedChannels.includes(channelId)) return ignored("channel_not_allowed");
  const threadTs = message.thread_ts ?? ts;
  const authorId = message.user ?? message.bot_id ?? "someone";
  const authorName = message.user_profile?.display_name || message.user_profile?.real_name || ctx.userNames?.[authorId] || authorId;
  const markup = { botUserId: ctx.botUserId, ...(ctx.userNames ? { userNames: ctx.userNames } : {}) };
  return kept({
    platform: "slack",
    messageId: ts,
    dedupeKey: `slack-shortcut_${safe(ctx.teamId)}_${safe(body.trigger_id)}`,
    conversationKey: encodeConversationKey({ workspaceId: ctx.teamId, channelId, threadId: threadTs }),
    replyTarget: {
      platform: "slack",
      workspaceId: ctx.teamId,
      channelId,
      threadId: threadTs,
      hints: { channelType: isDm ? "im" : "channel", recipientTeamId: body.user?.team_id ?? ctx.teamId },
    },
    author: { userId, displayName: ctx.userNames?.[userId] || body.user?.name || body.user?.username || userId },
    text: aboutMessageText(authorName, slackMarkupToMarkdown(message.text ?? "", markup)),
    isDirectMessage: isDm,
    mentionsBot: true,
    mentionsOthers: false,
    // A message inside a thread: the thread so far is read as context, as for a mention there.
    inExistingThread: message.thread_ts !== undefined && message.thread_ts !== ts,
    attachments: (message.files ?? []).map(normalizeSlackFile).filter((a): a is InboundAttachment => a !== null),
    receivedAt,
  });
}
