import type { ChatTurn } from "./chat-turn.js";
import type { DifyEventPayload } from "./steps.js";
import type { FakeMessage } from "./store.js";
import type { TurnWorkflow } from "./stream-run.js";
import type { FormOutcome, HumanInputSpec } from "./workflow-runs.js";

export interface PausingRun {
  readonly workflow: TurnWorkflow;
  readonly message: FakeMessage;
  readonly turn: ChatTurn;
  readonly resumeDelayMs: number;
  writeEvent(event: DifyEventPayload): Promise<unknown>;
  closeClientStream(): Promise<void>;
  /** Resolves undefined when the turn is stopped first. */
  waitFor<T>(p: PromiseLike<T>): Promise<T | undefined>;
  pause(ms: number): Promise<void>;
}

/**
 * A Human Input node, as `api/core/app/apps/advanced_chat/generate_task_pipeline.py` streams it: the
 * `human_input_required` event, `workflow_paused`, and the end of the response without `message_end` (the
 * message is stored as `paused`). The run then waits for the form; resumption publishes `workflow_started`
 * (reason `resumption`) and `human_input_form_filled` or `human_input_form_timeout` on the run's topic.
 */
export async function pauseForHumanInput(run: PausingRun, spec: HumanInputSpec, onOutcome?: (o: FormOutcome) => void): Promise<void> {
  const form = run.workflow.addForm(spec);
  await run.writeEvent({ event: "human_input_required", data: form.eventData() });
  await run.writeEvent({
    event: "workflow_paused",
    data: {
      workflow_run_id: run.turn.workflowRunId,
      paused_nodes: [form.nodeId],
      outputs: {},
      reasons: [{ type: "human_input_required", form_id: form.id, node_id: form.nodeId }],
    },
  });
  await run.closeClientStream();
  run.message.status = "paused";
  const outcome = await run.waitFor(form.outcome);
  if (!outcome) return;
  onOutcome?.(outcome);
  await run.pause(run.resumeDelayMs);
  run.message.status = "normal";
  const workflowId = (run.workflow.run.startedEvent?.data as { workflow_id?: unknown } | undefined)?.workflow_id ?? null;
  await run.writeEvent({ event: "workflow_started", data: { workflow_id: workflowId, inputs: {}, created_at: run.turn.createdAt, reason: "resumption" } });
  if (outcome.kind === "submitted") {
    const action = spec.actions.find((a) => a.id === outcome.submission.action);
    await run.writeEvent({
      event: "human_input_form_filled",
      data: {
        node_id: form.nodeId,
        node_title: form.nodeTitle,
        rendered_content: spec.formContent,
        action_id: outcome.submission.action,
        action_text: action?.title ?? "",
      },
    });
  } else {
    await run.writeEvent({
      event: "human_input_form_timeout",
      data: { node_id: form.nodeId, node_title: form.nodeTitle, expiration_time: form.expirationTime },
    });
  }
}
