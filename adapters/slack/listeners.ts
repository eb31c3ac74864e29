import type { App, Context } from "@slack/bolt";
import type { InboundSink } from "../../src/contracts/chat-platform.js";
import type { FormDialogSource } from "../../src/contracts/forms.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { ThreadLog } from "../../src/contracts/thread-log.js";
import { normalizeSessionStopped, type SlackAgentSessionStoppedEvent } from "./agent-session-events.js";
import { messagesTabOpened, type SlackAppHomeOpenedEvent, type SlackAssistantThreadEvent, threadStarted, viewingContext } from "./assistant-pane-events.js";
import { feedbackClicks } from "./feedback-clicks.js";
import { FEEDBACK_FORM_CALLBACK, offeredMessage, openFeedbackForm, submittedComment } from "./feedback-form.js";
import { openFormModal, registerFormSubmissions } from "./form-dialogs.js";
import { mentionedUserIds } from "./markup.js";
import { type NormalizeContext, normalizeBlockActions, normalizeMessageEvent, normalizeReactionEvent } from "./normalize.js";
import type { SlackBlockActionsBody, SlackMessageEvent, SlackReactionEvent } from "./slack-payloads.js";
import { rememberSeen } from "./thread-cache.js";
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
  /** Where thread messages seen in events are kept for later context reads (see thread-cache.ts). */
  readonly threadLog?: () => ThreadLog | undefined;
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
    const log = deps.threadLog?.();
    if (log && !(first.kind === "ignored" && first.reason === "channel_not_allowed")) await rememberSeen(log, event, context);
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
    const clicks = feedbackClicks(b, context.teamId, context.botUserId, now());
    for (const reaction of clicks) await sink({ kind: "reaction", reaction });
    // 👎 opens the optional "what was wrong?" form for the clicker; the offer a 👎 reaction got does the same.
    const disliked = clicks.find((c) => c.reaction === "thumbs_down");
    const offered = (b.actions ?? []).map(offeredMessage).find((m) => m !== null);
    const about = disliked ? { channel: disliked.messageRef.channelId, ts: disliked.messageRef.messageId } : offered;
    if (about && b.trigger_id) await openFeedbackForm(client, b.trigger_id, about, logger);
    if (offered) return;
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

  app.view(FEEDBACK_FORM_CALLBACK, async ({ ack, body, context: bolt }) => {
    await ack();
    const comment = submittedComment(body as never, scope(bolt).context.teamId);
    if (comment) await sink({ kind: "feedback_comment", comment });
  });

  // The AI app's pane: opened (legacy assistant thread, or the agent_view DM's Messages tab), and what the
  // person views beside it.
  app.event("assistant_thread_started", async ({ event, context: bolt }) => {
    const teamId = scope(bolt).context.teamId;
    const raw = event as unknown as SlackAssistantThreadEvent;
    const viewing = viewingContext(raw, teamId);
    if (viewing) await sink(viewing);
    const opened = threadStarted(raw, teamId);
    if (opened) await sink(opened);
  });
  app.event("assistant_thread_context_changed", async ({ event, context: bolt }) => {
    const viewing = viewingContext(event as unknown as SlackAssistantThreadEvent, scope(bolt).context.teamId);
    if (viewing) await sink(viewing);
  });
  app.event("app_home_opened", async ({ event, context: bolt }) => {
    const opened = messagesTabOpened(event as unknown as SlackAppHomeOpenedEvent, scope(bolt).context.teamId);
    if (opened) await sink(opened);
  });

  // Bolt's default handler logs through its own logger and rejects; rejecting is what we need (the receiver
  // turns it into "no ack"), logging happens once, in the receiver.
  app.error(async (error) => {
    throw error;
  });
}
