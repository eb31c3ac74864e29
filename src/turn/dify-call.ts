import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../contracts/logger.js";
import type { ChatRequest } from "../dify/chat-stream.js";
import type { DifyClient } from "../dify/dify-client.js";
import { DifyAbortedError, DifyConcurrencyLimitError, DifyConversationNotFoundError } from "../dify/errors.js";
import type { DifyEvent } from "../dify/events.js";
import { backoffMs, isTransientDifyError } from "../dify/retry-policy.js";
import { type AnswerState, EMPTY_ANSWER, reduceAnswer } from "../reply/answer-accumulator.js";
import { streamingView, type ViewSettings } from "../reply/answer-view.js";
import type { ReplyStreamer } from "../reply/reply-streamer.js";
import type { ConversationStore } from "../state/conversation-store.js";
import type { ReplyIndex } from "../state/reply-index.js";
import type { TurnStore } from "../state/turn-store.js";
import type { TurnContext } from "./turn-context.js";
import { indexReply } from "./turn-finish.js";

/** Pre-answer failures worth another try (busy app, Dify restarting). */
const MAX_ASK_ATTEMPTS = 4;
/** After Stop, Dify ends the stream within ~1 s; past this the bridge stops reading by itself. */
const STOP_GRACE_MS = 5_000;

/** One answer's Dify task, as far as it is known. */
export interface TurnRun {
  stopped: boolean;
  taskId: string | undefined;
  /** Known from Dify's first event; from then on every message of the reply is indexed for feedback at once. */
  messageId: string | undefined;
  readonly abort: AbortController;
}

export interface DifyCallDeps {
  readonly dify: DifyClient;
  readonly conversations: ConversationStore;
  readonly turns: TurnStore;
  readonly replies: ReplyIndex;
  readonly view: ViewSettings;
}

/**
 * Asks Dify and streams the answer into the streamer. Failures before Dify accepted the question are retried
 * (a busy app, Dify restarting); a stored conversation Dify no longer has is replaced once. Once accepted, a
 * failure ends the answer: asking again would put the question twice into the conversation.
 */
export async function streamAnswer(
  deps: DifyCallDeps,
  ctx: TurnContext,
  streamer: ReplyStreamer,
  run: TurnRun,
  request: ChatRequest,
  preamble: readonly string[],
  stopTyping: () => void,
): Promise<{ state: AnswerState; error?: unknown }> {
  const msg = ctx.data.message;
  let req = request;
  let state = EMPTY_ANSWER;
  for (let attempt = 1; ; attempt++) {
    let accepted = false;
    let started = false;
    try {
      // One view function for the whole answer: the streamer evaluates it only when an update goes out, and
      // then the latest state is what it should show (no closure allocated per token).
      const view = () => streamingView(state, preamble, deps.view);
      const apply = (event: DifyEvent) => {
        state = reduceAnswer(state, event);
        if (event.event === "text" || event.event === "message_replace") stopTyping();
        streamer.show(view);
      };
      // Called for every token of every answer, straight from the socket: keep it synchronous except for
      // the first event's bookkeeping (Dify ids saved with the job before anything is shown).
      await deps.dify.consumeChat(
        req,
        (event) => {
          if (started || !(event.taskId || event.messageId)) return apply(event);
          started = true;
          return onDifyStarted(deps, ctx, run, req.user, streamer, event).then(() => apply(event));
        },
        { signal: run.abort.signal, logger: ctx.logger, onAccepted: () => (accepted = true) },
      );
      return { state };
    } catch (err) {
      if (!accepted && err instanceof DifyConversationNotFoundError && req.conversationId) {
        ctx.logger.info({ conversationKey: msg.conversationKey }, "stored Dify conversation is gone; starting a new one");
        await deps.conversations.clearConversationId(msg.conversationKey);
        req = { ...req, conversationId: undefined };
        continue;
      }
      if (!accepted && isTransientDifyError(err) && attempt < MAX_ASK_ATTEMPTS && !run.abort.signal.aborted) {
        const waitMs = backoffMs(attempt, { retryAfterMs: err instanceof DifyConcurrencyLimitError ? err.retryAfterMs : undefined, baseMs: 1_000 });
        ctx.logger.warn({ err, attempt, waitMs }, "Dify did not accept the question; trying again");
        streamer.show({ text: "", status: "The assistant is busy; trying again…" });
        await sleep(waitMs, undefined, { signal: run.abort.signal }).catch(() => undefined);
        if (!run.abort.signal.aborted) continue;
      }
      return { state, error: err };
    }
  }
}

/** Dify's first event names the task and message: saved everywhere a later click, retry or recovery looks. */
async function onDifyStarted(
  deps: DifyCallDeps,
  ctx: TurnContext,
  run: TurnRun,
  user: string,
  streamer: ReplyStreamer,
  event: { taskId?: string | undefined; messageId?: string | undefined; conversationId?: string | undefined; workflowRunId?: string | undefined },
): Promise<void> {
  run.taskId = event.taskId;
  run.messageId = event.messageId;
  const msg = ctx.data.message;
  await Promise.all([
    // A 👍 while the answer is still streaming counts too.
    event.messageId ? indexReply(deps.replies, ctx, streamer.refs, event.messageId) : undefined,
    event.conversationId ? deps.conversations.setConversationId(msg.conversationKey, event.conversationId, ctx.app.id) : undefined,
    ctx.saveDify({
      taskId: event.taskId,
      messageId: event.messageId,
      conversationId: event.conversationId,
      ...(event.workflowRunId ? { workflowRunId: event.workflowRunId } : {}),
    }),
    deps.turns.update(ctx.turnId, {
      turnId: ctx.turnId,
      app: ctx.app.id,
      ...(event.taskId ? { taskId: event.taskId } : {}),
      ...(event.messageId ? { difyMessageId: event.messageId } : {}),
    }),
  ]);
  // Stop was clicked before Dify told us the task id.
  if (run.stopped && event.taskId) await deps.dify.stopTask(event.taskId, user).catch(() => undefined);
}

/** The asker stopped the answer (their click may have reached any process): stop the Dify task. */
export function stopRun(dify: DifyClient, run: TurnRun, user: string, log: Logger): void {
  if (run.stopped) return;
  run.stopped = true;
  if (run.taskId) {
    dify.stopTask(run.taskId, user).catch((err: unknown) => log.warn({ err }, "Dify stop failed"));
  }
  // Dify ends a stopped stream with a normal message_end; if it does not, stop reading ourselves.
  setTimeout(() => run.abort.abort(new DifyAbortedError("stopped")), STOP_GRACE_MS).unref();
}
