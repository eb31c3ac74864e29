import type { Logger } from "../contracts/logger.js";
import { consumeEventStream, type EventResult } from "./chat-stream.js";
import type { DifyEvent } from "./events.js";
import type { DifyHttp } from "./http.js";

/**
 * A Chatflow run after its first stream (docs/dify-2026.md §2): its events from now on, and the Human Input forms
 * it pauses for. `api/controllers/service_api/app/workflow_events.py` and `human_input_form.py`.
 */

export interface RunEventsOptions {
  /** The same `user` that started the run: another end user's run is a 404. */
  readonly user: string;
  /** Replay the run's state first (workflow_started, the stored answer as message_replace, nodes, the pause). */
  readonly includeStateSnapshot: boolean;
  /** Keep the stream open across pauses instead of closing at the next one. */
  readonly continueOnPause: boolean;
}

export interface RunStreamOptions {
  readonly signal?: AbortSignal | undefined;
  readonly idleTimeoutMs: number;
  readonly maxEventChars?: number | undefined;
  readonly logger: Logger;
  readonly onAccepted?: () => void;
  readonly stopAfter?: (event: DifyEvent) => boolean;
}

/** GET /workflow/{run_id}/events: resolves at `workflow_finished` (or the close after a pause). */
export function consumeRunEvents(
  http: DifyHttp,
  runId: string,
  o: RunEventsOptions,
  opts: RunStreamOptions,
  onEvent: (event: DifyEvent) => EventResult,
): Promise<void> {
  return consumeEventStream(
    http,
    {
      method: "GET",
      path: `/workflow/${encodeURIComponent(runId)}/events`,
      query: { user: o.user, include_state_snapshot: String(o.includeStateSnapshot), continue_on_pause: String(o.continueOnPause) },
      endsAtWorkflowFinished: true,
    },
    { ...opts, stopAtEnd: true },
    onEvent,
  );
}

export interface FormAnswer {
  /** Values by `output_variable_name`. */
  readonly inputs: Readonly<Record<string, string>>;
  /** The chosen action's id. */
  readonly action: string;
  readonly user: string;
}

/** POST /form/human_input/{token}: Dify answers `{}`; 412 `human_input_form_submitted` / `_expired` otherwise. */
export async function submitHumanInputForm(http: DifyHttp, token: string, answer: FormAnswer, signal?: AbortSignal): Promise<void> {
  await http.json("POST", `/form/human_input/${encodeURIComponent(token)}`, {
    json: { inputs: answer.inputs, action: answer.action, user: answer.user },
    signal,
  });
}
