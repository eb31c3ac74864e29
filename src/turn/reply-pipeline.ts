import { DifyAbortedError } from "../dify/errors.js";
import type { PlatformGateway } from "../gateway/platform-gateway.js";
import { isPermanentPlatformFailure } from "../gateway/retry-table.js";
import { type AnswerActivity, failureReason } from "../observability/answer-activity.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import type { DurationStats } from "../rate/duration-stats.js";
import type { ViewSettings } from "../reply/answer-view.js";
import { ReplyStreamer } from "../reply/reply-streamer.js";
import { cannotReplyText, STOPPED_TEXT, toUserText } from "../reply/user-text.js";
import type { ConversationStore } from "../state/conversation-store.js";
import type { ReplyIndex } from "../state/reply-index.js";
import type { TurnStore } from "../state/turn-store.js";
import { retryActionId, stopActionId } from "./action-ids.js";
import { completeAnswer } from "./completion.js";
import { stopRun, streamAnswer, type TurnRun } from "./dify-call.js";
import { prepareQuestion, type ViewingContext } from "./question.js";
import { recoveredAnswerText } from "./recovered-answer.js";
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
      if (data.dify?.taskId) {
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
      if (ctx.placeholder.ref === null) await ctx.platform.assistant?.setSession(data.message.replyTarget, "idle", { askerUserId: data.message.author.userId });
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
      streamMode: ctx.app.streaming,
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
      await finishTurn(this.d, ctx, streamer, { text: "🆕 Started a new conversation. Ask away!" }, "ok");
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
      await completeAnswer(deps, ctx, streamer, run, answer, question.preamble, params.suggestedQuestionsAfterAnswer);
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

  /** A worker died mid-answer: do not ask again (Dify already has the question); show what Dify kept. */
  private async recover(d: AppDeps, ctx: TurnContext, streamer: ReplyStreamer, user: string): Promise<void> {
    const text = await recoveredAnswerText(ctx, { dify: d.dify, user });
    const buttons = [{ actionId: retryActionId(ctx.turnId), label: "Retry" }];
    await finishTurn(this.d, ctx, streamer, { text, buttons }, "error", ctx.data.dify?.messageId);
  }
}
