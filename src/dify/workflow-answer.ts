import type { RunInputs } from "./app-kind.js";
import type { DifyEvent } from "./events.js";

/**
 * A Workflow app's stream in the shape of a chat answer. Its text comes as `text_chunk` (the End node's
 * streamed outputs), and the stream ends with `workflow_finished` alone (no `message_end`:
 * `_handle_workflow_succeeded_event` / `_handle_workflow_failed_and_stop_events` in
 * api/core/app/apps/workflow/generate_task_pipeline.py). At `workflow_finished` the answer is settled from the
 * run's outputs (a `message_replace` when they say something else than the stream did), and a `message_end`
 * closes it, so the rest of the bridge ends it like any other answer.
 */
function workflowAnswerEvents(run: RunInputs): (event: DifyEvent) => readonly DifyEvent[] {
  let streamed = "";
  return (event) => {
    if (event.event === "text") {
      streamed += event.answer;
      return [event];
    }
    if (event.event !== "workflow_finished") return [event];
    const answer = answerFromOutputs(event.outputs ?? {}, streamed, run.answerOutput);
    const ids = { taskId: event.taskId, workflowRunId: event.workflowRunId };
    return [
      ...(answer !== undefined && answer !== streamed ? [{ event: "message_replace" as const, answer, ...ids }] : []),
      event,
      { event: "message_end" as const, retrieverResources: [], files: [], ...ids },
    ];
  };
}

/**
 * `consumer` fed the translated events: several for one (in order, waiting for any that returns a promise
 * before the next), so the consumer sees a Workflow run as a chat answer.
 */
export function translatedConsumer(run: RunInputs, consumer: (event: DifyEvent) => void | Promise<void>): (event: DifyEvent) => void | Promise<void> {
  const translate = workflowAnswerEvents(run);
  return (event) => {
    const events = translate(event);
    if (events.length === 1) return consumer(events[0] as DifyEvent);
    let chain: Promise<void> | undefined;
    for (const e of events) {
      if (chain) chain = chain.then(() => consumer(e));
      else {
        const r = consumer(e);
        if (r && typeof r.then === "function") chain = r;
      }
    }
    return chain;
  };
}

/** Dify's file values in outputs (`File.to_dict()`): delivered from `workflow_finished.files`, not as text. */
function isFile(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0 && v.every(isFile);
  return typeof v === "object" && v !== null && (v as { dify_model_identity?: unknown }).dify_model_identity === "__dify__file__";
}

function rendered(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return `\`\`\`json\n${JSON.stringify(v, null, 2)}\n\`\`\``;
}

/**
 * The answer a finished run shows, or undefined to keep the streamed text:
 * - the configured output, when the run has it;
 * - else the streamed text, when there was any;
 * - else the only text output; several outputs are listed by name (objects as JSON); file outputs are left to
 *   the file delivery.
 * @internal Exported for its unit test.
 */
export function answerFromOutputs(outputs: Readonly<Record<string, unknown>>, streamed: string, configured: string | undefined): string | undefined {
  if (configured !== undefined && outputs[configured] !== undefined && outputs[configured] !== null) return rendered(outputs[configured]);
  if (streamed.trim() !== "") return undefined;
  const shown = Object.entries(outputs).filter(([, v]) => v !== null && v !== undefined && v !== "" && !isFile(v));
  if (shown.length === 0) return undefined;
  if (shown.length === 1) return rendered(shown[0]?.[1]);
  const inline = (v: unknown) => (typeof v === "string" && !v.includes("\n")) || typeof v === "number" || typeof v === "boolean";
  return shown.map(([k, v]) => (inline(v) ? `**${k}**: ${rendered(v)}` : `**${k}**\n${rendered(v)}`)).join("\n\n");
}
