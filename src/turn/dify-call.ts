import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../contracts/logger.js";
import type { ChatRequest } from "../dify/chat-stream.js";
import type { DifyClient, StoredMessage } from "../dify/dify-client.js";
import { DifyAbortedError, DifyConcurrencyLimitError, DifyConversationNotFoundError, DifyFateUnknownError, DifyStreamError } from "../dify/errors.js";
import type { DifyEvent } from "../dify/events.js";
import { backoffMs, fateOfDifyFailure } from "../dify/retry-policy.js";
import { type AnswerState, EMPTY_ANSWER, reduceAnswer } from "../reply/answer-accumulator.js";
import { streamingView, type ViewSettings } from "../reply/answer-view.js";
import type { ReplyStreamer } from "../reply/reply-streamer.js";
import type { ConversationStore } from "../state/conversation-store.js";
import type { ReplyIndex } from "../state/reply-index.js";
import type { TurnStore } from "../state/turn-store.js";
import { findQuestion } from "./question-fate.js";
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
 * Asks Dify and streams the answer into the streamer. A question is never sent to Dify twice:
 * - what Dify cannot have received (no connection, its concurrency limit) is asked again after a pause;
 * - after a failure that leaves it open (a timeout before the response headers, a 5xx: Dify stores the question
 *   before it fails) the question is looked for in Dify first: found, its stored answer is shown; not there, it
 *   is asked again; not knowable, the person is told and nothing is re-sent;
 * - once Dify accepted the question (HTTP 200), a failure ends the answer.
 * A stored conversation Dify no longer has is replaced once.
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
  // Anything Dify stored for this question was stored after this.
  const askedBefore = ctx.data.dify?.taskId ? undefined : ctx.data.dify?.askedAt;
  const firstSentAt = askedBefore ?? Date.now();
  if (askedBefore !== undefined) {
    // An earlier run of this job sent the question and died before Dify's first event: Dify may have it.
    const found = await findQuestion(deps.dify, req, askedBefore, run.abort.signal);
    if (found.kind === "asked") {
      ctx.logger.warn({ difyMessageId: found.message.id }, "an earlier run had asked this question; showing Dify's stored answer instead of asking again");
      return storedAnswer(deps, ctx, run, req.user, found.message, askedBefore, undefined);
    }
    if (found.kind === "unknown") {
      ctx.logger.error({ lookupErr: found.err }, "an earlier run may have asked this question and Dify cannot say; not asking again");
      return { state, error: new DifyFateUnknownError("the question's fate in Dify is unknown", { cause: found.err }) };
    }
  } else {
    await ctx.saveDify({ askedAt: firstSentAt });
  }
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
          return onDifyStarted(deps, ctx, run, req.user, event, streamer.refs).then(() => apply(event));
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
      const fate = accepted || run.abort.signal.aborted ? "final" : fateOfDifyFailure(err);
      if (fate === "unknown") {
        const found = await findQuestion(deps.dify, req, firstSentAt, run.abort.signal);
        if (found.kind === "asked") {
          ctx.logger.warn(
            { err, difyMessageId: found.message.id },
            "Dify failed to answer but had stored the question; showing its stored answer instead of asking again",
          );
          return storedAnswer(deps, ctx, run, req.user, found.message, firstSentAt, err);
        }
        if (found.kind === "unknown") {
          ctx.logger.error({ err, lookupErr: found.err }, "Dify failed and could not say whether it has the question; not asking again");
          return { state, error: new DifyFateUnknownError("the question's fate in Dify is unknown", { cause: err }) };
        }
        ctx.logger.warn({ err, attempt }, "Dify failed and does not have the question");
      }
      if (fate !== "final" && attempt < MAX_ASK_ATTEMPTS) {
        const waitMs = backoffMs(attempt, { retryAfterMs: err instanceof DifyConcurrencyLimitError ? err.retryAfterMs : undefined, baseMs: 1_000 });
        ctx.logger.warn({ err, attempt, waitMs }, "Dify did not take the question; trying again");
        streamer.show({ text: "", status: "The assistant is busy; trying again…" });
        await sleep(waitMs, undefined, { signal: run.abort.signal }).catch(() => undefined);
        if (!run.abort.signal.aborted) continue;
      }
      return { state, error: err };
    }
  }
}

/**
 * The answer Dify stored for a question whose response never arrived: shown like a streamed one (its message id
 * takes feedback and suggestions), or its stored error; still empty, the person is told it is unknown.
 */
async function storedAnswer(
  deps: DifyCallDeps,
  ctx: TurnContext,
  run: TurnRun,
  user: string,
  message: StoredMessage,
  askedAt: number,
  cause: unknown,
): Promise<{ state: AnswerState; error?: unknown }> {
  const ids = { messageId: message.id, conversationId: message.conversationId };
  // No task id to recover by: a run after this one must look again rather than ask.
  await onDifyStarted(deps, ctx, run, user, { ...ids, askedAt });
  if (message.status === "error") return { state: EMPTY_ANSWER, error: new DifyStreamError(undefined, undefined, message.error ?? undefined, { cause }) };
  if (message.answer.trim() === "") return { state: EMPTY_ANSWER, error: new DifyFateUnknownError("Dify has the question but no answer", { cause }) };
  let state = reduceAnswer(EMPTY_ANSWER, { event: "text", source: "message", answer: message.answer, ...ids });
  state = reduceAnswer(state, { event: "message_end", retrieverResources: [], files: [], ...ids });
  return { state };
}

/** Dify's first event names the task and message: saved everywhere a later click, retry or recovery looks. */
async function onDifyStarted(
  deps: DifyCallDeps,
  ctx: TurnContext,
  run: TurnRun,
  user: string,
  event: {
    taskId?: string | undefined;
    messageId?: string | undefined;
    conversationId?: string | undefined;
    workflowRunId?: string | undefined;
    askedAt?: number | undefined;
  },
  shownRefs: ReplyStreamer["refs"] = [],
): Promise<void> {
  run.taskId = event.taskId;
  run.messageId = event.messageId;
  const msg = ctx.data.message;
  await Promise.all([
    // A 👍 while the answer is still streaming counts too.
    event.messageId ? indexReply(deps.replies, ctx, shownRefs, event.messageId) : undefined,
    event.conversationId ? deps.conversations.setConversationId(msg.conversationKey, event.conversationId, ctx.app.id) : undefined,
    ctx.saveDify({
      taskId: event.taskId,
      messageId: event.messageId,
      conversationId: event.conversationId,
      ...(event.workflowRunId ? { workflowRunId: event.workflowRunId } : {}),
      ...(event.askedAt !== undefined ? { askedAt: event.askedAt } : {}),
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
