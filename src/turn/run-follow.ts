import type { DifyClient } from "../dify/dify-client.js";
import type { DifyEvent } from "../dify/events.js";
import { type AnswerState, reduceAnswer } from "../reply/answer-accumulator.js";
import type { StreamingView } from "../reply/reply-layout.js";
import type { ReplyStreamer } from "../reply/reply-streamer.js";
import type { TurnRun } from "./dify-call.js";
import type { TurnContext } from "./turn-context.js";

export interface FollowOptions {
  /** Replay the run's state first: needed whenever events may have been missed (a re-attach, a wait). */
  readonly includeStateSnapshot: boolean;
  /** Stay on across pauses that the chat cannot answer (forms delivered elsewhere). */
  readonly continueOnPause: boolean;
  /**
   * Runs once Dify streams the run: from then on no event can be missed, so this is where a form is submitted.
   * A failure ends the follow with that error.
   */
  readonly onAttached?: () => Promise<void>;
}

/**
 * Reads a Chatflow run's events (GET /workflow/{run_id}/events) into the reply, as the first stream did. Ends
 * at `workflow_finished`, or at a pause for a form the chat can answer (one with a `form_token`): that needs a
 * click, and the job should not hold the thread meanwhile.
 */
export async function followRun(
  dify: DifyClient,
  ctx: TurnContext,
  streamer: ReplyStreamer,
  run: TurnRun,
  start: AnswerState,
  target: { readonly runId: string; readonly user: string },
  o: FollowOptions,
  view: (state: AnswerState) => StreamingView,
): Promise<{ state: AnswerState; error?: unknown }> {
  let state = start;
  const local = new AbortController();
  const signal = AbortSignal.any([run.abort.signal, local.signal]);
  let attached: Promise<void> | undefined;
  let attachError: unknown;
  let chatForm = false;
  const show = () => view(state);
  const apply = (event: DifyEvent) => {
    state = reduceAnswer(state, event);
    if (event.event === "human_input_required" && event.form.token) chatForm = true;
    if (event.taskId && !run.taskId) run.taskId = event.taskId;
    streamer.show(show);
  };
  try {
    await dify.consumeRunEvents(target.runId, { user: target.user, includeStateSnapshot: o.includeStateSnapshot, continueOnPause: o.continueOnPause }, apply, {
      signal,
      logger: ctx.logger,
      onAccepted: () => {
        attached = o.onAttached?.().catch((err: unknown) => {
          attachError = err;
          local.abort(err);
        });
      },
      // A pause this stream announced a chat form for: the rest waits for a click.
      stopAfter: (event) => event.event === "workflow_paused" && chatForm,
    });
    await attached;
    if (attachError !== undefined) return { state, error: attachError };
    return { state };
  } catch (err) {
    await attached;
    return { state, error: attachError ?? err };
  }
}
