import { DifyAbortedError, DifyApiError } from "../dify/errors.js";
import type { PendingFormStore } from "../forms/pending-forms.js";
import type { PlatformGateway } from "../gateway/platform-gateway.js";
import { isPermanentPlatformFailure } from "../gateway/retry-table.js";
import { type AnswerActivity, failureReason } from "../observability/answer-activity.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import type { DurationStats } from "../rate/duration-stats.js";
import { type AnswerState, EMPTY_ANSWER } from "../reply/answer-accumulator.js";
import { streamingView, type ViewSettings } from "../reply/answer-view.js";
import { ReplyStreamer } from "../reply/reply-streamer.js";
import { cannotReplyText, STOPPED_TEXT, toUserText } from "../reply/user-text.js";
import type { ConversationStore } from "../state/conversation-store.js";
import type { ReplyIndex } from "../state/reply-index.js";
import type { TurnStore } from "../state/turn-store.js";
import { retryActionId, stopActionId } from "./action-ids.js";
import { completeAnswer } from "./completion.js";
import { stopRun, streamAnswer, type TurnRun } from "./dify-call.js";
import { type Answer, HumanInputFlow } from "./human-input.js";
import { prepareQuestion, type ViewingContext } from "./question.js";
import { recoveredAnswerText, removeExtraParts } from "./recovered-answer.js";
import { followRun } from "./run-follow.js";
import type { StopCoordinator } from "./stop-coordinator.js";
import { SuggestionButtons } from "./suggestion-buttons.js";
import { difyUserFor, type TurnContext } from "./turn-context.js";
import { finishTurn, indexReply } from "./turn-finish.js";
import { isNewConversationCommand } from "./turn-query.js";
import { startTyping } from "./typing-indicator.js";

export interface PipelineDeps {
  readonly conversations: ConversationStore;
  readonly turns: TurnStore;
  readonly replies: ReplyIndex;
  readonly gateway: PlatformGateway;
  readonly stops: StopCoordinator;
  readonly durations: DurationStats;
  readonly metrics: BridgeMetrics;
  /** What the operator console shows: answers streaming, failures. */
  readonly activity: AnswerActivity;
  /** CONTEXT_INPUT, and where the thread's viewing context is kept (see assistant-pane.ts). */
  readonly viewing: ViewingContext;
  /** Human Input forms shown in replies, until answered. */
  readonly forms: PendingFormStore;
}

/** The pipeline's dependencies with the turn's own app: every Dify call of the turn goes to it. */
type AppDeps = PipelineDeps & { readonly dify: TurnContext["app"]["dify"]; readonly view: ViewSettings };

/** Everything between "this thread's turn has come" and "the answer is final on the platform". */
export class ReplyPipeline {
  private readonly suggestions: SuggestionButtons;
  /** Each app's name (Dify /info), asked once per app. */
  private readonly names = new Map<string, Promise<string | undefined>>();

  constructor(private readonly d: PipelineDeps) {
    this.suggestions = new SuggestionButtons({ turns: d.turns, gateway: d.gateway });
  }

  async answer(turn: TurnContext): Promise<void> {
    const { data, turnId, app } = turn;
    const msg = data.message;
    const tracker = this.d.activity.started({
      turnId,
      platform: msg.platform,
      workspaceId: msg.replyTarget.workspaceId,
      channelId: msg.replyTarget.channelId,
      receivedAt: Date.parse(msg.receivedAt),
    });
    const ctx: TurnContext = { ...turn, tracker };
    const d: AppDeps = { ...this.d, dify: app.dify, view: { showProgress: app.showProgress, showReasoning: app.showReasoning, difyOrigin: app.dify.origin } };
    const user = difyUserFor(data.message.conversationKey);
    const run: TurnRun = { stopped: false, taskId: data.dify?.taskId, messageId: data.dify?.messageId, abort: new AbortController() };
    const onShutdown = () => run.abort.abort(new DifyAbortedError("shutting down"));
    ctx.signal.addEventListener("abort", onShutdown, { once: true });
    const unregister = this.d.stops.register(turnId, () => stopRun(d.dify, run, user, ctx.logger));
    const streamer = this.streamerFor(ctx, run);
    try {
      await this.suggestions.retirePrevious(ctx);
      if (await this.d.stops.isStopRequested(turnId)) {
        await finishTurn(this.d, ctx, streamer, { text: STOPPED_TEXT }, "stopped");
        return;
      }
      if (data.resume) {
        await this.resumeForm(d, ctx, streamer, run);
        return;
      }
      if (data.dify?.taskId) {
        // A Chatflow run goes on without its first client: follow it to the end. Other apps cannot be re-attached to.
        if (data.dify.workflowRunId && (await this.reattach(d, ctx, streamer, run, data.dify.workflowRunId, user))) return;
        await this.recover(d, ctx, streamer, user);
        return;
      }
      const release = await this.slotFor(ctx, streamer, run);
      try {
        await this.ask(d, ctx, streamer, run, user);
      } finally {
        release();
      }
    } catch (err) {
      // Never leave a placeholder spinning: whatever broke, the reply ends with a clear line.
      ctx.logger.error({ err }, "answer failed unexpectedly");
      this.d.metrics.repliesFailed.labels(ctx.platform.id, (err as { code?: string })?.code ?? "UNEXPECTED").inc();
      const userText = toUserText(err);
      this.d.activity.failed({ platform: msg.platform, channelId: msg.replyTarget.channelId, userText, ...failureReason(err) });
      await streamer
        .finish({ text: userText, buttons: [{ actionId: retryActionId(turnId), label: "Retry" }] })
        .catch((e: unknown) => ctx.logger.error({ err: e }, "could not mark the reply as failed"));
    } finally {
      tracker.ended("error");
      unregister();
      ctx.signal.removeEventListener("abort", onShutdown);
      // The platform's own Stop goes away with the work (the session waits for the next question).
      if (ctx.placeholder.ref === null || ctx.placeholder.adoptedStream)
        await ctx.platform.assistant?.setSession(data.message.replyTarget, "idle", { askerUserId: data.message.author.userId });
    }
  }

  private streamerFor(ctx: TurnContext, run: TurnRun): ReplyStreamer {
    const label = ctx.platform.id;
    const msg = ctx.data.message;
    let toldAsker = false;
    const streamer: ReplyStreamer = new ReplyStreamer({
      route: ctx.route,
      target: msg.replyTarget,
      placeholder: ctx.placeholder,
      stopButton: { actionId: stopActionId(ctx.turnId), label: "Stop", style: "danger" },
      askerUserId: msg.author.userId,
      streamId: ctx.turnId,
      postKeyTurnId: ctx.data.dify?.taskId ? undefined : ctx.turnId,
      durations: this.d.durations,
      // An answer that goes on in a reply already on screen edits it: a native stream would be a second message.
      streamMode: ctx.data.resume || ctx.data.dify?.workflowRunId || ctx.placeholder.adoptedStream ? "edit" : ctx.app.streaming,
      events: {
        onFirstText: (at) => {
          const seconds = Math.max(0, at - Date.parse(msg.receivedAt)) / 1000;
          this.d.metrics.firstTokenSeconds.labels(label).observe(seconds);
          this.d.metrics.appFirstTokenSeconds.labels(ctx.app.id).observe(seconds);
          ctx.tracker?.firstText(at);
        },
        onUpdate: (usage) => {
          ctx.tracker?.updated();
          ctx.tracker?.budgets(usage);
        },
        onBudgetWait: (waitMs) => ctx.tracker?.waitedForBudget(waitMs),
        onPart: async (ref) => {
          await Promise.all([
            run.messageId ? indexReply(this.d.replies, ctx, [ref], run.messageId) : undefined,
            ctx.saveParts([...(ctx.data.parts ?? []), ...streamer.refs]),
          ]).catch((err: unknown) => ctx.logger.warn({ err }, "could not record a message of the reply"));
        },
        // A reply the platform will not show (a permission gone mid-answer): the asker hears it once, privately.
        onGaveUp: (err) => {
          if (toldAsker || !isPermanentPlatformFailure(err)) return;
          toldAsker = true;
          void ctx.route.notice(msg.replyTarget, msg.author.userId, cannotReplyText(err), { quiet: true });
        },
      },
    });
    return streamer;
  }

  /** Waits for the app's concurrency cap (when it has one), saying so in the reply while it waits. */
  private async slotFor(ctx: TurnContext, streamer: ReplyStreamer, run: TurnRun): Promise<() => void> {
    const cap = ctx.app.cap;
    if (!cap) return () => undefined;
    if (cap.active >= cap.limit) {
      ctx.logger.info({ limit: cap.limit }, "app at its concurrency cap; waiting for a slot");
      streamer.show({ text: "", status: "Waiting for the assistant…" });
    }
    return cap.acquire(run.abort.signal);
  }

  private async ask(d: AppDeps, ctx: TurnContext, streamer: ReplyStreamer, run: TurnRun, user: string): Promise<void> {
    const msg = ctx.data.message;
    if (isNewConversationCommand(msg.text) && msg.attachments.length === 0) {
      await d.conversations.clearConversationId(msg.conversationKey);
      // Workflow and Text Generator apps keep no conversation: every message already starts afresh.
      const keepsNone = (await d.dify.appKind().catch(() => "chat")) !== "chat";
      const text = keepsNone ? "🆕 Every message here is answered on its own already. Ask away!" : "🆕 Started a new conversation. Ask away!";
      await finishTurn(this.d, ctx, streamer, { text }, "ok");
      return;
    }
    const params = await ctx.app.params.get();
    if (msg.text.trim() === "" && msg.attachments.length === 0 && !ctx.data.files?.length) {
      await this.greet(ctx, streamer, params.openingStatement, params.suggestedQuestions);
      return;
    }
    streamer.show({ text: "" });
    const stopTyping = startTyping(ctx.route, msg.replyTarget);
    try {
      const question = await prepareQuestion({ ...d, inputs: ctx.app.inputs, viewing: this.d.viewing }, ctx, params, user, run.abort.signal);
      if (!question.request) {
        await finishTurn(this.d, ctx, streamer, { text: [...question.preamble, "⚠️ I could not find a question in your message."].join("\n\n") }, "error");
        return;
      }
      const deps = {
        ...d,
        view: { ...d.view, planTitle: ctx.platform.streaming && d.view.showProgress ? await this.appName(ctx.app) : undefined },
        suggestions: this.suggestions,
      };
      const answer = await streamAnswer(deps, ctx, streamer, run, question.request, question.preamble, stopTyping);
      const settled = await this.flow(deps).settle(ctx, streamer, run, answer, question.preamble);
      if (settled.kind === "form-shown") return;
      await completeAnswer(deps, ctx, streamer, run, settled.answer, question.preamble, params.suggestedQuestionsAfterAnswer);
    } finally {
      stopTyping();
    }
  }

  /** The app's name (Dify /info), fetched once per app: the plan title of its work cards. Unknown: no title. */
  private appName(app: TurnContext["app"]): Promise<string | undefined> {
    let name = this.names.get(app.id);
    if (!name) {
      name = app.dify.getInfo().then(
        (info) => info.name?.trim() || undefined,
        () => {
          this.names.delete(app.id);
          return undefined;
        },
      );
      this.names.set(app.id, name);
    }
    return name;
  }

  private async greet(ctx: TurnContext, streamer: ReplyStreamer, opening: string, starters: readonly string[]): Promise<void> {
    const buttons = this.suggestions.buttonsFor(ctx, starters);
    const text = opening.trim() || "Hi! Ask me anything.";
    if (buttons.length) await this.suggestions.saveQuestions(ctx.turnId, starters);
    const refs = await finishTurn(this.d, ctx, streamer, { text, buttons }, "ok");
    if (buttons.length) await this.suggestions.remember(ctx, starters, refs, text, []);
  }

  private flow(d: AppDeps): HumanInputFlow {
    return new HumanInputFlow({ dify: d.dify, forms: this.d.forms, replies: this.d.replies, metrics: this.d.metrics, view: d.view });
  }

  /** The end of a followed run, as for a first stream: pauses first, then the final answer. */
  private async finishFollowed(
    d: AppDeps,
    ctx: TurnContext,
    streamer: ReplyStreamer,
    run: TurnRun,
    answer: Answer,
    preamble: readonly string[],
  ): Promise<void> {
    const settled = await this.flow(d).settle(ctx, streamer, run, answer, preamble);
    if (settled.kind === "form-shown") return;
    const params = await ctx.app.params.get();
    const deps = { ...d, suggestions: this.suggestions };
    await completeAnswer(deps, ctx, streamer, run, await withStoredAnswer(d, settled.answer, ctx), preamble, params.suggestedQuestionsAfterAnswer);
  }

  /** A click on a Human Input form: submit it, then the run goes on in the same reply. */
  private async resumeForm(d: AppDeps, ctx: TurnContext, streamer: ReplyStreamer, run: TurnRun): Promise<void> {
    await removeExtraParts(ctx);
    const resumed = await this.flow(d).resume(ctx, streamer, run);
    if (resumed.answer) await this.finishFollowed(d, ctx, streamer, run, resumed.answer, resumed.preamble);
  }

  /**
   * A worker died while a Chatflow answered: its run goes on in Dify, so follow it (its state first, the stored
   * answer replacing the text) and finish the same reply; nothing is stopped, nothing asked again. False when
   * this Dify has no events endpoint (before 1.13): the caller stops and shows what was kept instead.
   */
  private async reattach(d: AppDeps, ctx: TurnContext, streamer: ReplyStreamer, run: TurnRun, runId: string, user: string): Promise<boolean> {
    // A Workflow app's answer is read from its run's outputs on its own endpoint: it keeps stop-and-show.
    if ((await d.dify.appKind().catch(() => "chat")) !== "chat") return false;
    ctx.logger.warn({ workflowRunId: runId, taskId: ctx.data.dify?.taskId }, "re-attaching to the interrupted answer's Dify run");
    const preamble = ctx.data.preamble ? [ctx.data.preamble] : [];
    const start: AnswerState = { ...EMPTY_ANSWER, ids: { ...ctx.data.dify } };
    const view = (s: AnswerState) => streamingView(s, preamble, d.view);
    // The first run's extra messages go first: the answer is shown again from the first message on.
    await removeExtraParts(ctx);
    const answer = await followRun(d.dify, ctx, streamer, run, start, { runId, user }, { includeStateSnapshot: true, continueOnPause: true }, view);
    // 404: no events endpoint (an older Dify) or a run it no longer knows; 400: not a workflow app.
    const unsupported = answer.error instanceof DifyApiError && (answer.error.status === 404 || answer.error.status === 400);
    if (unsupported && answer.state.text === "" && !answer.state.ended) return false;
    await this.finishFollowed(d, ctx, streamer, run, answer, preamble);
    return true;
  }

  /** A worker died mid-answer: do not ask again (Dify already has the question); show what Dify kept. */
  private async recover(d: AppDeps, ctx: TurnContext, streamer: ReplyStreamer, user: string): Promise<void> {
    const text = await recoveredAnswerText(ctx, { dify: d.dify, user });
    const buttons = [{ actionId: retryActionId(ctx.turnId), label: "Retry" }];
    await finishTurn(this.d, ctx, streamer, { text, buttons }, "error", ctx.data.dify?.messageId);
  }
}

/**
 * A followed run's text only holds what this stream saw (the snapshot's stored answer, then the new text): once
 * the run has finished, Dify's stored answer is whole, and wins when it holds more.
 */
async function withStoredAnswer(d: AppDeps, answer: Answer, ctx: TurnContext): Promise<Answer> {
  const { conversationId, messageId } = answer.state.ids;
  if (answer.error !== undefined || answer.state.workflowStatus === undefined || !conversationId || !messageId) return answer;
  const user = difyUserFor(ctx.data.message.conversationKey);
  const stored = (await d.dify.getMessages(conversationId, user, { limit: 20 }).catch(() => [])).find((m) => m.id === messageId);
  if (!stored || stored.answer.length <= answer.state.text.length) return answer;
  return { ...answer, state: { ...answer.state, text: stored.answer } };
}
