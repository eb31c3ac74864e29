import type { AppKind, RunInputs } from "./app-kind.js";
import type { AppParameters, InputVariable } from "./app-parameters.js";

/** Start-form types that take free text, in the order the question may go to them. */
const TEXT_INPUTS = new Set(["paragraph", "text-input"]);

export interface RunSettings {
  /** DIFY_QUERY_INPUT or the routes file's `query_input`: the variable that takes the question. */
  readonly queryInput?: string | undefined;
  /** DIFY_ANSWER_OUTPUT or the routes file's `answer_output`: the Workflow output shown as the answer. */
  readonly answerOutput?: string | undefined;
  /** Variables the bridge fills otherwise (DIFY_INPUTS, CONTEXT_INPUT, user_name / user_id): never the question's. */
  readonly filledElsewhere?: readonly string[];
}

/**
 * Where a Workflow or Text Generator run puts the question: the configured variable, else the app's first
 * text input (`paragraph` or `text-input` in `user_input_form`) that nothing else fills. Files go to its first `file` / `file-list`
 * input (Dify's documented way for these apps), else in the request's `files` list. Undefined for chat apps.
 */
export function runInputsFor(kind: AppKind, params: AppParameters, settings: RunSettings): RunInputs | undefined {
  if (kind === "chat") return undefined;
  const form = params.inputVariables;
  const taken = new Set(["user_name", "user_id", ...(settings.filledElsewhere ?? [])]);
  const queryInput = settings.queryInput ?? form.find((v) => TEXT_INPUTS.has(v.type) && !taken.has(v.variable))?.variable;
  const file = form.find((v) => v.type === "file" || v.type === "file-list");
  return {
    kind,
    queryInput,
    ...(file ? { fileInput: { variable: file.variable, list: file.type === "file-list" } } : {}),
    ...(kind === "workflow" && settings.answerOutput ? { answerOutput: settings.answerOutput } : {}),
  };
}

/**
 * The parameters attachments are judged by: a run's file input has its own accepted types and count, which Dify
 * checks instead of the app's `file_upload` feature. Size limits stay the app's (`system_parameters`).
 */
export function intakeParameters(params: AppParameters, run: RunInputs | undefined): AppParameters {
  const input = run?.fileInput ? params.inputVariables.find((v) => v.variable === run.fileInput?.variable) : undefined;
  const files = (input as InputVariable | undefined)?.files;
  if (!files) return params;
  return { ...params, fileUpload: { enabled: true, ...files } };
}
