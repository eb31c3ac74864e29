import { randomUUID } from "node:crypto";
import type { FakeDifyContext, IncomingCall } from "../context.js";
import { replies, sendJson, sendReply } from "../replies.js";
import type { HttpErrorReply } from "../steps.js";
import type { FakeMessage, FakeMessageFile } from "../store.js";
import { checkInputs, resolveChatFiles, userFileOf } from "./chat-input-checks.js";
import { type Checked, invalid, isUuid, readJsonObject, userArg } from "./request-checks.js";

/**
 * The run endpoints of the two app types that keep no conversation:
 * - POST /v1/workflows/run and POST /v1/workflows/tasks/{task_id}/stop (api/controllers/service_api/app/workflow.py:
 *   `WorkflowRunApi`, `WorkflowTaskStopApi`; only `mode == workflow`, else 400 `not_workflow_app`);
 * - POST /v1/completion-messages and POST /v1/completion-messages/{task_id}/stop (completion.py: `CompletionApi`,
 *   `CompletionStopApi`; only `mode == completion`, else 400 `app_unavailable`).
 * Both take `inputs` (required, a dict), `files` (optional list) and `response_mode`; the user comes from the JSON
 * body (`validate_app_token(fetch_user_arg=…JSON, required=True)`) and is checked before the mode.
 */

const NOT_WORKFLOW_APP = (): HttpErrorReply => replies.json(400, "not_workflow_app", "Please check if your app mode matches the right API route.");
const APP_UNAVAILABLE = (): HttpErrorReply => replies.json(400, "app_unavailable", "App unavailable, please check your app configurations.");

/** The pydantic checks of `WorkflowRunPayload` / `CompletionRequestPayload`. */
function checkRunPayload(ctx: FakeDifyContext, model: string, body: Record<string, unknown>): Checked<undefined> {
  const problem = (field: string, type: string, msg: string, input?: unknown) => invalid(ctx, model, { field, type, msg, input }, body);
  if (!("inputs" in body)) return problem("inputs", "missing", "Field required");
  if (body.inputs === null || typeof body.inputs !== "object" || Array.isArray(body.inputs))
    return problem("inputs", "dict_type", "Input should be a valid dictionary", body.inputs);
  if (model === "CompletionRequestPayload" && body.query !== undefined && typeof body.query !== "string")
    return problem("query", "string_type", "Input should be a valid string", body.query);
  const mode = body.response_mode;
  if (mode !== undefined && mode !== null && mode !== "blocking" && mode !== "streaming")
    return problem("response_mode", "literal_error", "Input should be 'blocking' or 'streaming'", mode);
  if (body.files !== undefined && body.files !== null && !Array.isArray(body.files))
    return problem("files", "list_type", "Input should be a valid list", body.files);
  return { ok: true, value: undefined };
}

interface FileInputDef {
  readonly variable?: string;
  readonly allowed_file_types?: readonly string[];
  readonly max_length?: number;
}

/**
 * `file` / `file-list` start-form variables: `_validate_inputs` wants a mapping (a list of them for a file list),
 * `file_factory.build_from_mapping` resolves each against the uploads, and the variable's own
 * `allowed_file_types` decide (api/core/app/apps/base_app_generator.py, api/factories/file_factory.py).
 */
function resolveInputFiles(ctx: FakeDifyContext, inputs: Record<string, unknown>): Checked<FakeMessageFile[]> {
  const form = Array.isArray(ctx.settings.parameters.user_input_form) ? (ctx.settings.parameters.user_input_form as Record<string, unknown>[]) : [];
  const bad = (message: string) => ({ ok: false as const, reply: replies.json(400, "invalid_param", message) });
  const out: FakeMessageFile[] = [];
  for (const entry of form) {
    for (const [type, raw] of Object.entries(entry)) {
      if (type !== "file" && type !== "file-list") continue;
      const def = raw as FileInputDef;
      const value = def.variable ? inputs[def.variable] : undefined;
      if (value === undefined || value === null) continue;
      if (type === "file" && (typeof value !== "object" || Array.isArray(value))) return bad(`${def.variable} in input form must be a file`);
      if (type === "file-list" && !Array.isArray(value)) return bad(`${def.variable} in input form must be a list of files`);
      const list = (Array.isArray(value) ? value : [value]) as Array<Record<string, unknown>>;
      if (type === "file-list" && def.max_length && list.length > def.max_length) return bad(`Invalid ${def.variable}: too many files`);
      for (const f of list) {
        const id = typeof f?.upload_file_id === "string" ? f.upload_file_id : "";
        if (f?.transfer_method !== "local_file") continue;
        if (!id || !isUuid(id)) return bad("Invalid upload file id format");
        const upload = ctx.store.uploads.get(id.toLowerCase());
        if (!upload) return bad("Invalid upload file");
        const fileType = typeof f.type === "string" ? f.type : "custom";
        if (def.allowed_file_types && !def.allowed_file_types.includes(fileType)) return bad(`File validation failed for file: ${upload.name}`);
        out.push(userFileOf(upload, fileType));
      }
    }
  }
  return { ok: true, value: out };
}

/** A workflow run's record: Dify keeps a WorkflowRun, not a message; feedback on its id is "Message Not Exists.". */
function runRecord(user: string, taskId: string, inputs: Readonly<Record<string, unknown>>, files: FakeMessageFile[]): FakeMessage {
  return {
    id: randomUUID(),
    conversationId: "",
    user,
    taskId,
    query: "",
    inputs,
    answer: "",
    status: "normal",
    error: null,
    createdAt: Math.floor(Date.now() / 1000),
    agentThoughts: [],
    files,
    retrieverResources: [],
    feedback: null,
  };
}

async function postRun(ctx: FakeDifyContext, call: IncomingCall, kind: "workflow" | "completion"): Promise<void> {
  const send = (reply: HttpErrorReply) => sendReply(call.res, reply);
  const json = readJsonObject(call);
  if (!json.ok) return send(json.reply);
  const body = json.value;
  const user = userArg(body.user);
  if (!user.ok) return send(user.reply);
  if (ctx.settings.mode !== kind) return send(kind === "workflow" ? NOT_WORKFLOW_APP() : APP_UNAVAILABLE());
  const payload = checkRunPayload(ctx, kind === "workflow" ? "WorkflowRunPayload" : "CompletionRequestPayload", body);
  if (!payload.ok) return send(payload.reply);
  if (body.response_mode !== "streaming") return send(replies.json(501, "not_modelled", "the fake serves streaming runs only"));
  const limit = ctx.settings.concurrencyLimit;
  if (limit !== null && ctx.activeRequestCount >= limit) return send(replies.tooManyRequests(ctx.settings.concurrencyErrorStyle, limit));

  const rawInputs = body.inputs as Record<string, unknown>;
  const inputs = checkInputs(ctx.settings.parameters, rawInputs);
  if (!inputs.ok) return send(inputs.reply);
  const inputFiles = resolveInputFiles(ctx, rawInputs);
  if (!inputFiles.ok) return send(inputFiles.reply);
  // `files` outside inputs: the app's file_upload feature (sys.files, vision), checked like a chat's.
  const sysFiles = resolveChatFiles(ctx, body.files);
  if (!sysFiles.ok) return send(sysFiles.reply);
  const files = [...inputFiles.value, ...sysFiles.value];
  const query = typeof body.query === "string" ? body.query.replace(/\0/g, "") : "";
  const taskId = randomUUID();
  // A completion is stored as a message of a conversation of its own (feedback works on it); a workflow run is not.
  const conversation = kind === "completion" ? ctx.store.createConversation(user.value, query, inputs.value) : undefined;
  const message = conversation
    ? ctx.store.createMessage(conversation, { taskId, query, inputs: inputs.value, files })
    : runRecord(user.value, taskId, inputs.value, files);
  await ctx.runTurn(
    {
      body,
      query,
      user: user.value,
      inputs: inputs.value,
      files,
      conversationId: conversation?.id ?? "",
      isNewConversation: conversation !== undefined,
      messageId: message.id,
      taskId,
      workflowRunId: randomUUID(),
      createdAt: message.createdAt,
      endUserId: ctx.store.endUserId(user.value),
      mode: kind,
      responseMode: "streaming",
      history: [],
      headers: call.req.headers,
    },
    message,
    conversation !== undefined,
    call.res,
  );
}

export function postWorkflowRun(ctx: FakeDifyContext, call: IncomingCall): Promise<void> {
  return postRun(ctx, call, "workflow");
}

export function postCompletionMessage(ctx: FakeDifyContext, call: IncomingCall): Promise<void> {
  return postRun(ctx, call, "completion");
}

/** Stops the task of the same end user only (`AppQueueManager.set_stop_flag` / `AppTaskService.stop_task`); always 200. */
function postRunStop(ctx: FakeDifyContext, call: IncomingCall, taskId: string, kind: "workflow" | "completion"): void {
  const json = readJsonObject(call);
  if (!json.ok) return sendReply(call.res, json.reply);
  const user = userArg(json.value.user);
  if (!user.ok) return sendReply(call.res, user.reply);
  if (ctx.settings.mode !== kind) return sendReply(call.res, kind === "workflow" ? NOT_WORKFLOW_APP() : APP_UNAVAILABLE());
  const run = ctx.findRunningTask(taskId);
  const isOwner = run !== undefined && run.user === user.value;
  if (run && isOwner) run.requestStop();
  ctx.recordStop({ taskId, user: json.value.user, stoppedStream: Boolean(run && isOwner), request: call.record });
  sendJson(call.res, 200, { result: "success" });
}

export function postWorkflowStop(ctx: FakeDifyContext, call: IncomingCall, taskId: string): void {
  postRunStop(ctx, call, taskId, "workflow");
}

export function postCompletionStop(ctx: FakeDifyContext, call: IncomingCall, taskId: string): void {
  postRunStop(ctx, call, taskId, "completion");
}
