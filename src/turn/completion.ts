import type { ActionButton } from "../contracts/messages.js";
import type { DifyClient } from "../dify/dify-client.js";
import { type AnswerActivity, failureReason } from "../observability/answer-activity.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import { type AnswerState, addFiles } from "../reply/answer-accumulator.js";
import { answerMarkdown, citationsOf, fileLinksIn, type ViewSettings } from "../reply/answer-view.js";
import type { ReplyStreamer } from "../reply/reply-streamer.js";
import { INTERRUPTED_TEXT, PARTIAL_TEXT, STOPPED_TEXT, toUserText, workflowFailedText } from "../reply/user-text.js";
import { stepCards } from "../reply/work-steps.js";
import type { ReplyIndex } from "../state/reply-index.js";
import { retryActionId } from "./action-ids.js";
import type { TurnRun } from "./dify-call.js";
import { deliverDifyFiles } from "./file-delivery.js";
import type { StopCoordinator } from "./stop-coordinator.js";
import type { SuggestionButtons } from "./suggestion-buttons.js";
import { difyUserFor, type TurnContext } from "./turn-context.js";
import { finishTurn, indexReply, type TurnOutcome } from "./turn-finish.js";

export interface CompletionDeps {
  readonly dify: DifyClient;
  readonly stops: StopCoordinator;
  readonly replies: ReplyIndex;
  readonly metrics: BridgeMetrics;
  readonly activity: AnswerActivity;
  readonly suggestions: SuggestionButtons;
  readonly view: ViewSettings;
}

/**
 * The end of an answer Dify streamed: the exact final text with how it ended (stopped, failed, interrupted by a
 * shutdown, waiting for input the chat cannot give), then the files the app produced and the suggested
 * questions, which follow once fetched.
 */
export async function completeAnswer(
  deps: CompletionDeps,
  ctx: TurnContext,
  streamer: ReplyStreamer,
  run: TurnRun,
  answer: { readonly state: AnswerState; readonly error?: unknown },
  preamble: readonly string[],
  suggestionsEnabled: boolean,
): Promise<void> {
  const { state, error } = answer;
  const shutdown = ctx.signal.aborted;
  const stopped = run.stopped || (await deps.stops.isStopRequested(ctx.turnId));
  const lines = [answerMarkdown(state, preamble, deps.view, true).trim()];
  let outcome: TurnOutcome = "ok";
  const buttons: ActionButton[] = [];
  const status = state.workflowStatus;
  if (stopped || status === "stopped") {
    lines.push(STOPPED_TEXT);
    outcome = "stopped";
  } else if (status === "failed") {
    // The only sign of failure on 2026 servers (no `error` event), and the clearest one on older ones.
    lines.push(workflowFailedText(state.workflowError));
    outcome = "error";
    buttons.push({ actionId: retryActionId(ctx.turnId), label: "Retry" });
    deps.metrics.repliesFailed.labels(ctx.platform.id, "WORKFLOW_FAILED").inc();
    ctx.logger.error({ workflowRunId: state.ids.workflowRunId, difyError: state.workflowError }, "Dify workflow run failed");
  } else if (error !== undefined || shutdown) {
    const userText = shutdown ? INTERRUPTED_TEXT : toUserText(error);
    lines.push(userText);
    const msg = ctx.data.message;
    const why = shutdown ? { code: "INTERRUPTED", reason: "the process shut down past its grace period" } : failureReason(error);
    deps.activity.failed({ platform: msg.platform, channelId: msg.replyTarget.channelId, userText, ...why });
    outcome = "error";
    buttons.push({ actionId: retryActionId(ctx.turnId), label: "Retry" });
    if (shutdown && run.taskId) await deps.dify.stopTask(run.taskId, difyUserFor(ctx.data.message.conversationKey)).catch(() => undefined);
    deps.metrics.repliesFailed.labels(ctx.platform.id, shutdown ? "INTERRUPTED" : ((error as { code?: string })?.code ?? "UNKNOWN")).inc();
    ctx.logger.error({ err: error, shutdown }, "answer failed");
  } else if (state.paused) {
    lines.push("⏸ The assistant is waiting for someone to respond in Dify before it can go on.");
    outcome = "error";
  } else if (status === "partial-succeeded") {
    lines.push(PARTIAL_TEXT);
  }
  const text = lines.filter((l) => l.trim() !== "").join("\n\n");
  const citations = citationsOf(state.citations);
  const messageId = state.ids.messageId;
  const tasks = deps.view.showProgress ? stepCards(state.steps, deps.view.planTitle, { ok: outcome === "ok" }) : undefined;
  const feedback = outcome === "ok" && messageId !== undefined;
  await finishTurn(deps, ctx, streamer, { text, citations, buttons, tasks, feedback }, outcome, messageId);
  // A Workflow run has no message id (no feedback, no suggestions), but the files it produced are delivered.
  if (outcome !== "ok") return;

  const user = difyUserFor(ctx.data.message.conversationKey);
  // Suggested questions belong to chat apps (Dify answers not_chat_app for a completion's message).
  const asksSuggestions = suggestionsEnabled && messageId !== undefined && (await deps.dify.appKind().catch(() => "chat")) === "chat";
  const [produced, suggestions] = await Promise.all([
    // Files the answer links to inline are attached like the rest (the links were taken out of the text).
    deliverDifyFiles(
      addFiles(
        state.files,
        fileLinksIn(state.text, deps.view.difyOrigin).map((url) => ({ url, type: "image" })),
      ),
      { dify: deps.dify, route: ctx.route, target: ctx.data.message.replyTarget, logger: ctx.logger },
    ),
    asksSuggestions && messageId
      ? deps.dify.getSuggestedQuestions(messageId, user).catch((err: unknown) => {
          ctx.logger.warn({ err }, "could not fetch suggested questions");
          return [] as string[];
        })
      : Promise.resolve([] as string[]),
  ]);
  if (produced.refs.length && messageId) await indexReply(deps.replies, ctx, produced.refs, messageId);
  if (!produced.failed && suggestions.length === 0) return;
  const finalText = produced.failed ? `${text}\n\n${produced.failed}` : text;
  const suggestionButtons = deps.suggestions.buttonsFor(ctx, suggestions);
  if (suggestions.length) await deps.suggestions.saveQuestions(ctx.turnId, suggestions);
  const refs = await streamer.finish({ text: finalText, citations, buttons: suggestionButtons, tasks, feedback });
  if (suggestions.length) await deps.suggestions.remember(ctx, suggestions, refs, finalText, citations);
}
