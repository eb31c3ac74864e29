import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../contracts/logger.js";
import type { ActionButton, MessageRef } from "../contracts/messages.js";
import type { ChatRequest } from "../dify/chat-stream.js";
import type { DifyClient } from "../dify/dify-client.js";
import { DifyAbortedError, DifyConcurrencyLimitError, DifyConversationNotFoundError } from "../dify/errors.js";
import type { DifyEvent } from "../dify/events.js";
import type { ParametersCache } from "../dify/parameters-cache.js";
import { backoffMs, isTransientDifyError } from "../dify/retry-policy.js";
import { prepareAttachments } from "../media/attachment-intake.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import type { RateBudgetStore } from "../rate/rate-budget-store.js";
import type { ConversationStore } from "../state/conversation-store.js";
import type { ReplyIndex } from "../state/reply-index.js";
import type { TurnStore } from "../state/turn-store.js";
import { retryActionId, stopActionId } from "../turn/action-ids.js";
import type { StopCoordinator } from "../turn/stop-coordinator.js";
import { type AnswerState, EMPTY_ANSWER, reduceAnswer } from "./answer-accumulator.js";
import { answerMarkdown, citationsOf, streamingView, type ViewSettings } from "./answer-view.js";
import type { DurationStats } from "./edit-pacer.js";
import { deliverDifyFiles } from "./file-delivery.js";
import { recoveredAnswerText } from "./recovered-answer.js";
import type { FinalView } from "./reply-layout.js";
import { ReplyStreamer } from "./reply-streamer.js";
import { SuggestionButtons } from "./suggestion-buttons.js";
import { difyUserFor, type TurnContext } from "./turn-context.js";
import { buildQuery, historyContext, isNewConversationCommand, turnInputs } from "./turn-query.js";
import { startTyping } from "./typing-indicator.js";
import { INTERRUPTED_TEXT, STOPPED_TEXT, toUserText } from "./user-text.js";

export { difyUserFor, type TurnContext } from "./turn-context.js";

export interface PipelineDeps {
  readonly dify: DifyClient;
  readonly params: ParametersCache;
  readonly conversations: ConversationStore;
  readonly turns: TurnStore;
  readonly replies: ReplyIndex;
  readonly budgets: RateBudgetStore;
  readonly stops: StopCoordinator;
  readonly durations: DurationStats;
  readonly metrics: BridgeMetrics;
  readonly settings: { readonly inputs: Readonly<Record<string, unknown>>; readonly showProgress: boolean; readonly showReasoning: boolean };
}

/** Pre-answer failures worth another try (busy app, Dify restarting). */
const MAX_ASK_ATTEMPTS = 4;
/** After Stop, Dify ends the stream within ~1 s; past this the bridge stops reading by itself. */
const STOP_GRACE_MS = 5_000;

interface TurnRun {
  stopped: boolean;
  taskId: string | undefined;
  /** Known from Dify's first event; from then on every message of the reply is indexed for feedback at once. */
  messageId: string | undefined;
  readonly abort: AbortController;
}

/** Everything between "this thread's turn has come" and "the answer is final on the platform". */
export class ReplyPipeline {
  private readonly suggestions: SuggestionButtons;

  constructor(private readonly d: PipelineDeps) {
    this.suggestions = new SuggestionButtons({ turns: d.turns, budgets: d.budgets });
  }

  async answer(ctx: TurnContext): Promise<void> {
    const { data, turnId } = ctx;
    const msg = data.message;
    const user = difyUserFor(msg.conversationKey);
    const run: TurnRun = { stopped: false, taskId: data.dify?.taskId, messageId: data.dify?.messageId, abort: new AbortController() };
    const onShutdown = () => run.abort.abort(new DifyAbortedError("shutting down"));
    ctx.signal.addEventListener("abort", onShutdown, { once: true });
    const unregister = this.d.stops.register(turnId, () => this.onStopRequested(run, user, ctx.logger));
    const streamer = this.streamerFor(ctx, run);
    try {
      await this.suggestions.retirePrevious(ctx);
      if (await this.d.stops.isStopRequested(turnId)) {
        await this.finish(ctx, streamer, { text: STOPPED_TEXT }, "stopped");
        return;
      }
      if (data.dify?.taskId) {
        await this.recover(ctx, streamer, user);
        return;
      }
      await this.ask(ctx, streamer, run, user);
    } catch (err) {
      // Never leave a placeholder spinning: whatever broke, the reply ends with a clear line.
      ctx.logger.error({ err }, "answer failed unexpectedly");
      this.d.metrics.repliesFailed.labels(ctx.platform.id, (err as { code?: string })?.code ?? "UNEXPECTED").inc();
      await streamer
        .finish({ text: toUserText(err), buttons: [{ actionId: retryActionId(turnId), label: "Retry" }] })
        .catch((e: unknown) => ctx.logger.error({ err: e }, "could not mark the reply as failed"));
    } finally {
      unregister();
      ctx.signal.removeEventListener("abort", onShutdown);
    }
  }

  private streamerFor(ctx: TurnContext, run: TurnRun): ReplyStreamer {
    const platform = ctx.platform;
    const label = platform.id;
    const streamer: ReplyStreamer = new ReplyStreamer({
      platform,
      budgets: this.d.budgets,
      target: ctx.data.message.replyTarget,
      placeholder: ctx.placeholder,
      stopButton: { actionId: stopActionId(ctx.turnId), label: "Stop", style: "danger" },
      askerUserId: ctx.data.message.author.userId,
      streamId: ctx.turnId,
      durations: this.d.durations,
      logger: ctx.logger,
      events: {
        onFirstText: (at) => this.d.metrics.firstTokenSeconds.labels(label).observe(Math.max(0, at - Date.parse(ctx.data.message.receivedAt)) / 1000),
        onOp: (op) => this.d.metrics.platformCalls.labels(label, op).inc(),
        onRateLimited: () => this.d.metrics.rateLimitHits.labels(label).inc(),
        onPart: async (ref) => {
          await Promise.all([
            run.messageId ? this.indexReply(ctx, [ref], run.messageId) : undefined,
            ctx.saveParts([...(ctx.data.parts ?? []), ...streamer.refs]),
          ]).catch((err: unknown) => ctx.logger.warn({ err }, "could not record a message of the reply"));
        },
      },
    });
    return streamer;
  }

  private get viewSettings(): ViewSettings {
    return { showProgress: this.d.settings.showProgress, showReasoning: this.d.settings.showReasoning, difyOrigin: this.d.dify.origin };
  }

  private async ask(ctx: TurnContext, streamer: ReplyStreamer, run: TurnRun, user: string): Promise<void> {
    const msg = ctx.data.message;
    const log = ctx.logger;
    if (isNewConversationCommand(msg.text) && msg.attachments.length === 0) {
      await this.d.conversations.clearConversationId(msg.conversationKey);
      await this.finish(ctx, streamer, { text: "🆕 Started a new conversation. Ask away!" }, "ok");
      return;
    }
    const params = await this.d.params.get();
    if (msg.text.trim() === "" && msg.attachments.length === 0 && !ctx.data.files?.length) {
      await this.greet(ctx, streamer, params.openingStatement, params.suggestedQuestions);
      return;
    }
    streamer.show({ text: "" });
    const stopTyping = startTyping(ctx.platform, ctx.data.message.replyTarget, this.d.budgets);
    try {
      const prepared = msg.attachments.length
        ? await prepareAttachments(msg.attachments, { platform: ctx.platform, dify: this.d.dify, params, user, signal: run.abort.signal, logger: log })
        : { files: [], notes: [], transcript: undefined };
      const files = [...(ctx.data.files ?? []), ...prepared.files];
      const conversationId = (await this.d.conversations.getConversationId(msg.conversationKey)) ?? undefined;
      let context = "";
      if (!conversationId && msg.inExistingThread && ctx.platform.fetchThreadHistory) {
        const history = await ctx.platform.fetchThreadHistory(msg.replyTarget, { beforeMessageId: msg.messageId, limit: 30 }).catch((err: unknown) => {
          log.warn({ err }, "could not read the thread history");
          return [];
        });
        context = historyContext(history);
      }
      const query = buildQuery({ text: msg.text, transcript: prepared.transcript, hasFiles: files.length > 0, context });
      const preamble = [
        ...(ctx.data.preamble ? [ctx.data.preamble] : []),
        ...(prepared.transcript ? [`> 🎙️ ${prepared.transcript.replace(/\n/g, " ")}`] : []),
        ...prepared.notes,
      ];
      await this.d.turns.update(ctx.turnId, { turnId: ctx.turnId, query: msg.text || prepared.transcript || "", files });
      if (!query) {
        await this.finish(ctx, streamer, { text: [...preamble, "⚠️ I could not find a question in your message."].join("\n\n") }, "error");
        return;
      }
      const req: ChatRequest = { query, user, inputs: turnInputs(this.d.settings.inputs, params.inputVariables, msg.author), conversationId, files };
      const { state, error } = await this.streamAnswer(ctx, streamer, run, req, preamble, stopTyping);
      await this.complete(ctx, streamer, run, state, preamble, error, params.suggestedQuestionsAfterAnswer);
    } finally {
      stopTyping();
    }
  }

  /** Streams the answer into the streamer; pre-answer failures are retried, a stale conversation is replaced once. */
  private async streamAnswer(
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
        const apply = (event: DifyEvent) => {
          state = reduceAnswer(state, event);
          const current = state;
          if (event.event === "text" || event.event === "message_replace") stopTyping();
          streamer.show(() => streamingView(current, preamble, this.viewSettings));
        };
        // Called for every token of every answer, straight from the socket: keep it synchronous except for
        // the first event's bookkeeping (Dify ids saved with the job before anything is shown).
        await this.d.dify.consumeChat(
          req,
          (event) => {
            if (started || !(event.taskId || event.messageId)) return apply(event);
            started = true;
            return this.onDifyStarted(ctx, run, req.user, streamer, event).then(() => apply(event));
          },
          { signal: run.abort.signal, logger: ctx.logger, onAccepted: () => (accepted = true) },
        );
        return { state };
      } catch (err) {
        if (!accepted && err instanceof DifyConversationNotFoundError && req.conversationId) {
          ctx.logger.info({ conversationKey: msg.conversationKey }, "stored Dify conversation is gone; starting a new one");
          await this.d.conversations.clearConversationId(msg.conversationKey);
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

  private async onDifyStarted(
    ctx: TurnContext,
    run: TurnRun,
    user: string,
    streamer: ReplyStreamer,
    event: { taskId?: string | undefined; messageId?: string | undefined; conversationId?: string | undefined },
  ): Promise<void> {
    run.taskId = event.taskId;
    run.messageId = event.messageId;
    const msg = ctx.data.message;
    await Promise.all([
      // A 👍 while the answer is still streaming counts too.
      event.messageId ? this.indexReply(ctx, streamer.refs, event.messageId) : undefined,
      event.conversationId ? this.d.conversations.setConversationId(msg.conversationKey, event.conversationId) : undefined,
      ctx.saveDify({ taskId: event.taskId, messageId: event.messageId, conversationId: event.conversationId }),
      this.d.turns.update(ctx.turnId, {
        turnId: ctx.turnId,
        ...(event.taskId ? { taskId: event.taskId } : {}),
        ...(event.messageId ? { difyMessageId: event.messageId } : {}),
      }),
    ]);
    // Stop was clicked before Dify told us the task id.
    if (run.stopped && event.taskId) await this.d.dify.stopTask(event.taskId, user).catch(() => undefined);
  }

  private onStopRequested(run: TurnRun, user: string, log: Logger): void {
    if (run.stopped) return;
    run.stopped = true;
    if (run.taskId) {
      this.d.dify.stopTask(run.taskId, user).catch((err: unknown) => log.warn({ err }, "Dify stop failed"));
    }
    // Dify ends a stopped stream with a normal message_end; if it does not, stop reading ourselves.
    setTimeout(() => run.abort.abort(new DifyAbortedError("stopped")), STOP_GRACE_MS).unref();
  }

  private async complete(
    ctx: TurnContext,
    streamer: ReplyStreamer,
    run: TurnRun,
    state: AnswerState,
    preamble: readonly string[],
    error: unknown,
    suggestionsEnabled: boolean,
  ): Promise<void> {
    const shutdown = ctx.signal.aborted;
    const stopped = run.stopped || (await this.d.stops.isStopRequested(ctx.turnId));
    const answer = answerMarkdown(state, preamble, this.viewSettings, true).trim();
    const lines = [answer];
    let outcome: "ok" | "stopped" | "error" = "ok";
    const buttons: ActionButton[] = [];
    if (stopped) {
      lines.push(STOPPED_TEXT);
      outcome = "stopped";
    } else if (error !== undefined || shutdown) {
      lines.push(shutdown ? INTERRUPTED_TEXT : toUserText(error));
      outcome = "error";
      buttons.push({ actionId: retryActionId(ctx.turnId), label: "Retry" });
      if (shutdown && run.taskId) await this.d.dify.stopTask(run.taskId, difyUserFor(ctx.data.message.conversationKey)).catch(() => undefined);
      this.d.metrics.repliesFailed.labels(ctx.platform.id, shutdown ? "INTERRUPTED" : ((error as { code?: string })?.code ?? "UNKNOWN")).inc();
      ctx.logger.error({ err: error, shutdown }, "answer failed");
    } else if (state.waitingForInput) {
      lines.push(`⚠️ The assistant is waiting for input (${state.waitingForInput}) that cannot be given from chat.`);
      outcome = "error";
    }
    const text = lines.filter((l) => l.trim() !== "").join("\n\n");
    const citations = citationsOf(state.citations);
    const messageId = state.ids.messageId;
    // The exact final text first; files and suggestion buttons follow once fetched.
    await this.finish(ctx, streamer, { text, citations, buttons }, outcome, messageId);
    if (outcome !== "ok" || !messageId) return;

    const user = difyUserFor(ctx.data.message.conversationKey);
    const [produced, suggestions] = await Promise.all([
      deliverDifyFiles(state.files, { dify: this.d.dify, platform: ctx.platform, target: ctx.data.message.replyTarget, logger: ctx.logger }),
      suggestionsEnabled
        ? this.d.dify.getSuggestedQuestions(messageId, user).catch((err: unknown) => {
            ctx.logger.warn({ err }, "could not fetch suggested questions");
            return [] as string[];
          })
        : Promise.resolve([] as string[]),
    ]);
    if (produced.refs.length) await this.indexReply(ctx, produced.refs, messageId);
    if (!produced.failed && suggestions.length === 0) return;
    const finalText = produced.failed ? `${text}\n\n${produced.failed}` : text;
    const suggestionButtons = this.suggestions.buttonsFor(ctx, suggestions);
    if (suggestions.length) await this.suggestions.saveQuestions(ctx.turnId, suggestions);
    const refs = await streamer.finish({ text: finalText, citations, buttons: suggestionButtons });
    if (suggestions.length) await this.suggestions.remember(ctx, suggestions, refs, finalText, citations);
  }

  private async finish(
    ctx: TurnContext,
    streamer: ReplyStreamer,
    view: FinalView,
    outcome: "ok" | "stopped" | "error",
    difyMessageId?: string,
  ): Promise<readonly MessageRef[]> {
    const refs = await streamer.finish(view);
    if (difyMessageId) await this.indexReply(ctx, refs, difyMessageId);
    this.d.metrics.repliesCompleted.labels(ctx.platform.id, outcome).inc();
    ctx.logger.info({ outcome, parts: refs.length, difyMessageId, totalMs: Date.now() - Date.parse(ctx.data.message.receivedAt) }, "answer delivered");
    return refs;
  }

  private async indexReply(ctx: TurnContext, refs: readonly MessageRef[], difyMessageId: string): Promise<void> {
    const key = ctx.data.message.conversationKey;
    await this.d.replies.record(refs, { difyMessageId, difyUser: difyUserFor(key), conversationKey: key });
  }

  private async greet(ctx: TurnContext, streamer: ReplyStreamer, opening: string, starters: readonly string[]): Promise<void> {
    const buttons = this.suggestions.buttonsFor(ctx, starters);
    const text = opening.trim() || "Hi! Ask me anything.";
    if (buttons.length) await this.suggestions.saveQuestions(ctx.turnId, starters);
    const refs = await this.finish(ctx, streamer, { text, buttons }, "ok");
    if (buttons.length) await this.suggestions.remember(ctx, starters, refs, text, []);
  }

  /** A worker died mid-answer: do not ask again (Dify already has the question); show what Dify kept. */
  private async recover(ctx: TurnContext, streamer: ReplyStreamer, user: string): Promise<void> {
    const text = await recoveredAnswerText(ctx, { dify: this.d.dify, user });
    await this.finish(ctx, streamer, { text, buttons: [{ actionId: retryActionId(ctx.turnId), label: "Retry" }] }, "error", ctx.data.dify?.messageId);
  }
}
