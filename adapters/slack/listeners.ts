import type { App, Context } from "@slack/bolt";
import type { InboundSink } from "../../src/contracts/chat-platform.js";
import type { FormDialogSource } from "../../src/contracts/forms.js";
import type { Logger } from "../../src/contracts/logger.js";
import { normalizeSessionStopped, type SlackAgentSessionStoppedEvent } from "./agent-session-events.js";
import { feedbackClicks } from "./feedback-clicks.js";
import { openFormModal, registerFormSubmissions } from "./form-dialogs.js";
import { mentionedUserIds } from "./markup.js";
import { type NormalizeContext, normalizeBlockActions, normalizeMessageEvent, normalizeReactionEvent } from "./normalize.js";
import type { SlackBlockActionsBody, SlackMessageEvent, SlackReactionEvent } from "./slack-payloads.js";
import type { UserDirectory } from "./user-directory.js";

export interface ListenerDeps {
  readonly context: NormalizeContext;
  readonly sink: InboundSink;
  readonly users: UserDirectory;
  readonly logger: Logger;
  /**
   * With OAuth installs the bot and the token differ per workspace: the normalize context and the user directory
   * of the workspace the event came from (Bolt's context, filled by `authorize`). Unset: `context` and `users`.
   */
  readonly perWorkspace?: (bolt: Context) => { readonly context: NormalizeContext; readonly users: UserDirectory };
  /** The modal a form button opens (see form-dialogs.ts). */
  readonly forms?: FormDialogSource | undefined;
}

/**
 * Wires Bolt's listeners to the sink. Each listener awaits the sink, and an error propagates to the receiver,
 * which then withholds the acknowledgement (HTTP: a 5xx; Socket Mode: no ack) so Slack delivers the event again.
 * Button clicks are acknowledged first, since Slack never redelivers an interaction: in Socket Mode the ack goes
 * out at once; over HTTP Bolt holds the response until the listener returns (processBeforeResponse), so a failing
 * sink shows the clicker Slack's error mark and they can click again instead of the click vanishing.
 */
export function registerSlackListeners(app: App, deps: ListenerDeps): void {
  const { sink, logger } = deps;
  const now = () => new Date().toISOString();
  const scope = (bolt: Context) => deps.perWorkspace?.(bolt) ?? deps;

  const onMessage = async (raw: unknown, bolt: Context) => {
    const { context, users } = scope(bolt);
    const event = raw as SlackMessageEvent;
    const first = normalizeMessageEvent(event, context, now());
    if (first.kind === "ignored") {
      logger.debug({ eventType: event.type, reason: first.reason }, "slack message ignored");
      return sink({ kind: "ignored", platform: "slack", what: "message", reason: first.reason, ...(event.channel ? { channelId: event.channel } : {}) });
    }
    // Names are looked up only for messages we keep, so ignored chatter costs no users.info call.
    const ids = [first.value.author.userId, ...mentionedUserIds(event.text ?? "").filter((id) => id !== context.botUserId)];
    const userNames = await users.namesOf(ids);
    const named = normalizeMessageEvent(event, { ...context, userNames }, first.value.receivedAt);
    const message = named.kind === "kept" ? named.value : first.value;
    logger.debug({ platform: "slack", dedupeKey: message.dedupeKey, eventType: event.type }, "slack message received");
    await sink({ kind: "message", message });
  };
  app.event("app_mention", async ({ event, context }) => onMessage(event, context));
  app.event("message", async ({ event, context }) => onMessage(event, context));

  const onReaction = async (raw: unknown, bolt: Context) => {
    const { context } = scope(bolt);
    const reaction = normalizeReactionEvent(raw as SlackReactionEvent, context, now());
    if (reaction.kind === "ignored") {
      logger.debug({ reason: reaction.reason }, "slack reaction ignored");
      return sink({ kind: "ignored", platform: "slack", what: "reaction", reason: reaction.reason });
    }
    await sink({ kind: "reaction", reaction: reaction.value });
  };
  app.event("reaction_added", async ({ event, context }) => onReaction(event, context));
  app.event("reaction_removed", async ({ event, context }) => onReaction(event, context));

  app.action({ type: "block_actions" }, async ({ ack, body, context: bolt, client }) => {
    const b = body as unknown as SlackBlockActionsBody;
    // A click on the Home tab is no message's button: home.ts's listeners acknowledge and handle those.
    if (b.container?.type === "view" && b.view?.type === "home") return;
    await ack();
    const { context, users } = scope(bolt);
    for (const reaction of feedbackClicks(b, context.teamId, context.botUserId, now())) await sink({ kind: "reaction", reaction });
    const clicker = b.user?.id;
    const userNames = clicker ? await users.namesOf([clicker]) : {};
    const actions = normalizeBlockActions(b, { ...context, userNames }, now());
    if (actions.kind === "ignored") {
      logger.debug({ reason: actions.reason }, "slack button click ignored");
      return sink({ kind: "ignored", platform: "slack", what: "button click", reason: actions.reason });
    }
    const [only] = actions.value;
    if (actions.value.length === 1 && only && (await openFormModal(client, deps.forms, only, b.trigger_id, logger))) return;
    for (const action of actions.value) await sink({ kind: "action", action });
  });
  registerFormSubmissions(app, sink, logger);

  // Slack's own Stop button on an agent session (AI apps).
  app.event("agent_session_stopped", async ({ event, context: bolt }) => {
    const { context, users } = scope(bolt);
    const raw = event as unknown as SlackAgentSessionStoppedEvent;
    const names = raw.user ? await users.namesOf([raw.user]) : {};
    const stop = normalizeSessionStopped(raw, context.teamId, raw.user ? names[raw.user] : undefined);
    if (!stop) return logger.debug({ eventType: raw.type }, "slack agent_session_stopped ignored (incomplete)");
    await sink(stop);
  });

  // Bolt's default handler logs through its own logger and rejects; rejecting is what we need (the receiver
  // turns it into "no ack"), logging happens once, in the receiver.
  app.error(async (error) => {
    throw error;
  });
}
