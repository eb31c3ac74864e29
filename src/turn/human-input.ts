import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { DifyClient } from "../dify/dify-client.js";
import { DifyApiError } from "../dify/errors.js";
import type { HumanInputForm } from "../dify/events.js";
import { fateOfDifyFailure } from "../dify/retry-policy.js";
import type { PendingForm, PendingFormStore } from "../forms/pending-forms.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import { type AnswerState, EMPTY_ANSWER } from "../reply/answer-accumulator.js";
import { answerMarkdown, streamingView, type ViewSettings } from "../reply/answer-view.js";
import type { StreamingView } from "../reply/reply-layout.js";
import type { ReplyStreamer } from "../reply/reply-streamer.js";
import type { ReplyIndex } from "../state/reply-index.js";
import { retryActionId } from "./action-ids.js";
import type { TurnRun } from "./dify-call.js";
import {
  answeredLine,
  FORM_ALREADY_ANSWERED_TEXT,
  FORM_EXPIRED_TEXT,
  FORM_GONE_TEXT,
  formButtons,
  formMarkdown,
  WAITING_FOR_APPROVAL_TEXT,
} from "./form-view.js";
import { followRun } from "./run-follow.js";
import { difyUserFor, type TurnContext } from "./turn-context.js";
import { finishTurn } from "./turn-finish.js";

export interface HumanInputDeps {
  readonly dify: DifyClient;
  readonly forms: PendingFormStore;
  readonly replies: ReplyIndex;
  readonly metrics: BridgeMetrics;
  readonly view: ViewSettings;
}

export type Answer = { readonly state: AnswerState; readonly error?: unknown };

/** What became of a paused run: a form is on screen (the job is done), or the run went on to an answer. */
export type PauseOutcome = { readonly kind: "form-shown" } | { readonly kind: "answer"; readonly answer: Answer };

/** A form with no expiry of its own is waited for this long at most. */
const WAIT_WITHOUT_EXPIRY_MS = 3_600_000;
/** After a form's expiry Dify takes its timeout branch: the run goes on, so keep listening a little longer. */
const EXPIRY_GRACE_MS = 120_000;
/** Between two attempts to re-attach to a run whose events stream broke. */
const REATTACH_DELAY_MS = 1_000;

/**
 * Human Input in the chat (docs/dify-2026.md §2). A pause for a form the chat can answer (`form_token`) shows it
 * in the reply and ends the job; the click starts a resume job that submits the form and follows the run in the
 * same reply. A form delivered elsewhere (no token) is waited for: the reply says so and the job stays on the
 * run (`continue_on_pause`) until it is approved, the form expires, or the process shuts down.
 */
export class HumanInputFlow {
  constructor(private readonly d: HumanInputDeps) {}

  /** After any stream of a Chatflow run: handles its pauses until a form is shown or an answer is there. */
  async settle(ctx: TurnContext, streamer: ReplyStreamer, run: TurnRun, answer: Answer, preamble: readonly string[]): Promise<PauseOutcome> {
    let current = answer;
    for (;;) {
      const { state } = current;
      if (!state.paused || current.error !== undefined || run.stopped) return { kind: "answer", answer: current };
      // Forms are answered for Chatflows (a conversation's run); a Workflow app's pause ends its answer as before.
      if ((await this.d.dify.appKind().catch(() => "chat")) !== "chat") return { kind: "answer", answer: current };
      const runId = state.ids.workflowRunId ?? ctx.data.dify?.workflowRunId;
      if (state.form?.token && runId) {
        await this.showForm(ctx, streamer, state, preamble, state.form, runId);
        return { kind: "form-shown" };
      }
      if (!runId) return { kind: "answer", answer: current };
      current = await this.waitForApproval(ctx, streamer, run, state, preamble, runId);
    }
  }

  /** The answer so far, then the form with one button per action. Saved before it shows: a click may come at once. */
  private async showForm(
    ctx: TurnContext,
    streamer: ReplyStreamer,
    state: AnswerState,
    preamble: readonly string[],
    form: HumanInputForm,
    runId: string,
  ): Promise<void> {
    const key = randomUUID().replace(/-/g, "").slice(0, 16);
    const shownAbove = answerMarkdown(state, preamble, this.d.view, true);
    const placeholderRef = ctx.placeholder.ref;
    const record: PendingForm = {
      key,
      token: form.token as string,
      form,
      turnId: ctx.data.resume ? ((await this.d.forms.get(ctx.data.resume.formKey))?.turnId ?? ctx.turnId) : ctx.turnId,
      app: ctx.app.id,
      difyUser: difyUserFor(ctx.data.message.conversationKey),
      conversationKey: ctx.data.message.conversationKey,
      replyTarget: ctx.data.message.replyTarget,
      reply: streamer.refs.length ? streamer.refs : placeholderRef ? [placeholderRef] : [],
      answerText: state.text,
      notes: state.notes,
      preamble,
      shownAbove,
      dify: { ...pick(state.ids), ...pick(ctx.data.dify ?? {}), workflowRunId: runId },
    };
    await this.d.forms.save(record);
    const text = [shownAbove, formMarkdown(form)].filter((t) => t.trim() !== "").join("\n\n");
    const refs = await finishTurn(this.d, ctx, streamer, { text, buttons: formButtons(key, form) }, "ok");
    // The reply may have moved on from the first message (a native stream replaces it): clicks answer this one.
    const moved = refs.length > 0 && refs.map((r) => r.messageId).join() !== record.reply.map((r) => r.messageId).join();
    if (moved) await this.d.forms.updateReply(key, refs);
    ctx.logger.info({ formKey: key, workflowRunId: runId, expiresAt: form.expiresAt }, "Dify paused for a form; shown in the reply");
  }

  /**
   * A form the chat cannot answer: the reply says the answer waits for approval in Dify, and the job follows the
   * run across pauses until it goes on. Each re-attach replays the state, so nothing is missed between two.
   */
  private async waitForApproval(
    ctx: TurnContext,
    streamer: ReplyStreamer,
    run: TurnRun,
    state: AnswerState,
    preamble: readonly string[],
    runId: string,
  ): Promise<Answer> {
    const expiresAt = state.form?.expiresAt;
    const deadline = expiresAt ? expiresAt * 1000 + EXPIRY_GRACE_MS : Date.now() + WAIT_WITHOUT_EXPIRY_MS;
    const waiting = WAITING_FOR_APPROVAL_TEXT(state.form?.title);
    ctx.logger.info({ workflowRunId: runId, expiresAt }, "Dify paused for a form delivered elsewhere; waiting for it");
    const view = (s: AnswerState): StreamingView => {
      const v = streamingView(s, preamble, this.d.view);
      return s.paused ? { ...v, text: [v.text, `_${waiting}_`].filter((t) => t.trim() !== "").join("\n\n") } : v;
    };
    let current: Answer = { state };
    while (Date.now() < deadline && !run.abort.signal.aborted && !run.stopped) {
      streamer.show(() => view(current.state));
      const user = difyUserFor(ctx.data.message.conversationKey);
      current = await followRun(this.d.dify, ctx, streamer, run, current.state, { runId, user }, { includeStateSnapshot: true, continueOnPause: true }, view);
      // Re-attaching only reads the run's events: whatever may pass (a timeout, a 5xx as much as a refused
      // connection) is worth another try.
      if (current.error === undefined || fateOfDifyFailure(current.error) === "final") return current;
      ctx.logger.warn({ err: current.error, workflowRunId: runId }, "lost the Dify run while waiting for approval; re-attaching");
      await sleep(REATTACH_DELAY_MS, undefined, { signal: run.abort.signal }).catch(() => undefined);
    }
    return current;
  }

  /**
   * A click (or a dialog's submission) on a form: the reply shows who answered and how, the form goes to Dify
   * once (a retried job that already sent it only re-attaches), and the run's events continue the same reply.
   */
  async resume(ctx: TurnContext, streamer: ReplyStreamer, run: TurnRun): Promise<{ readonly answer?: Answer; readonly preamble: readonly string[] }> {
    const resume = ctx.data.resume;
    const record = resume ? await this.d.forms.get(resume.formKey) : null;
    if (!resume || !record) {
      await finishTurn(this.d, ctx, streamer, { text: FORM_GONE_TEXT }, "error");
      return { preamble: [] };
    }
    const action = record.form.actions[resume.actionIndex];
    if (!action) {
      await finishTurn(this.d, ctx, streamer, { text: FORM_GONE_TEXT }, "error");
      return { preamble: [] };
    }
    const inputs = Object.fromEntries(
      record.form.fields.filter((f) => f.type === "paragraph" || f.type === "select").map((f) => [f.name, resume.values[f.name] ?? f.defaultValue ?? ""]),
    );
    const by = ctx.data.message.author.displayName;
    const note = { at: record.answerText.length, line: answeredLine(record.form, by, action.title, resume.values) };
    const start: AnswerState = { ...EMPTY_ANSWER, text: record.answerText, notes: [...record.notes, note], ids: { ...record.dify } };
    const view = (s: AnswerState) => streamingView(s, record.preamble, this.d.view);
    streamer.show(view(start));
    run.taskId ??= record.dify.taskId;
    const target = { runId: record.dify.workflowRunId, user: record.difyUser };
    const submit = async () => {
      await this.d.dify.submitForm(record.token, { inputs, action: action.id, user: record.difyUser }, { signal: run.abort.signal });
      await this.d.forms.markSubmitted(record.key, { by, action: action.id });
      ctx.logger.info({ formKey: record.key, action: action.id }, "form answered in Dify");
    };
    // Listening first, then submitting: the run's first events after the answer cannot slip past.
    const answer = record.submitted
      ? await followRun(this.d.dify, ctx, streamer, run, start, target, { includeStateSnapshot: true, continueOnPause: true }, view)
      : await followRun(this.d.dify, ctx, streamer, run, start, target, { includeStateSnapshot: false, continueOnPause: false, onAttached: submit }, view);
    const refused = formRefusal(answer.error);
    if (refused) {
      const text = [record.shownAbove, formMarkdown(record.form), refused].filter((t) => t.trim() !== "").join("\n\n");
      await finishTurn(this.d, ctx, streamer, { text, buttons: [{ actionId: retryActionId(record.turnId), label: "Start over" }] }, "error");
      ctx.logger.info({ formKey: record.key, code: (answer.error as DifyApiError).difyCode }, "Dify no longer takes this form");
      return { preamble: record.preamble };
    }
    return { answer, preamble: record.preamble };
  }
}

/** Dify's 412s for a form that can no longer be answered, as the user reads them. */
function formRefusal(err: unknown): string | undefined {
  if (!(err instanceof DifyApiError)) return undefined;
  if (err.difyCode === "human_input_form_expired") return FORM_EXPIRED_TEXT;
  if (err.difyCode === "human_input_form_submitted") return FORM_ALREADY_ANSWERED_TEXT;
  if (err.status === 404 && err.difyCode === "not_found") return FORM_GONE_TEXT;
  return undefined;
}

function pick(ids: { taskId?: string | undefined; messageId?: string | undefined; conversationId?: string | undefined }) {
  return {
    ...(ids.taskId ? { taskId: ids.taskId } : {}),
    ...(ids.messageId ? { messageId: ids.messageId } : {}),
    ...(ids.conversationId ? { conversationId: ids.conversationId } : {}),
  };
}
