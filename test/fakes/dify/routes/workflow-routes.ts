import type { FakeDifyContext, IncomingCall } from "../context.js";
import { replies, sendJson, sendReply } from "../replies.js";
import { SseWriter } from "../sse-writer.js";
import { encodeEvent } from "../wire-format.js";
import { readJsonObject, userArg } from "./request-checks.js";

/**
 * The 2026 workflow-run endpoints: `GET /workflow/{run_id}/events` (api/controllers/service_api/app/workflow_events.py)
 * and the Human Input forms (api/controllers/service_api/app/human_input_form.py, services/human_input_service.py).
 * With `workflowEvents` off they do not exist, as on 1.12.1: Flask's HTML 404.
 */

const NOT_WORKFLOW_APP = () => replies.json(400, "not_workflow_app", "Please check if your app mode matches the right API route.");

/** Live events of a run from now on; with `include_state_snapshot=true` the state so far first. */
export function getWorkflowEvents(ctx: FakeDifyContext, call: IncomingCall, runId: string): void {
  if (!ctx.settings.workflowEvents) return sendReply(call.res, replies.flaskNotFound());
  const user = userArg(call.query.get("user"));
  if (!user.ok) return sendReply(call.res, user.reply);
  if (ctx.settings.mode !== "advanced-chat" && ctx.settings.mode !== "workflow") return sendReply(call.res, NOT_WORKFLOW_APP());
  const run = ctx.workflowRuns.runs.get(runId);
  // Another end user's run is indistinguishable from no run.
  if (!run || run.user !== user.value) return sendReply(call.res, replies.json(404, "not_found", "Workflow run not found"));
  ctx.recordEventsRequest({ runId, user: user.value, query: Object.fromEntries(call.query), request: call.record });
  const wire = ctx.settings.wire;
  const writer = new SseWriter(call.res, wire, { onFirstAnswerByte: () => undefined, onWrite: () => undefined });
  if (run.finishedEvent) {
    // A finished run answers one workflow_finished, written with json.dumps (spaced, ASCII-escaped).
    void writer.write(encodeEvent(run.finishedEvent, { ...wire, jsonStyle: "python" })).then(() => writer.end());
    return;
  }
  // The live stream (`build_workflow_event_stream`): a ping at once, then every `ping_interval` (10 s).
  void writer.ping().catch(() => undefined);
  const every = ctx.settings.pingIntervalMs;
  if (every > 0) {
    const timer = setInterval(() => void writer.ping().catch(() => undefined), every);
    timer.unref();
    call.res.on("close", () => clearInterval(timer));
  }
  const flag = (name: string) => (call.query.get(name) ?? "false").toLowerCase() === "true";
  const continueOnPause = flag("continue_on_pause");
  if (flag("include_state_snapshot")) {
    for (const event of run.snapshot()) void writer.write(encodeEvent(event, wire));
    if (run.status === "paused" && !continueOnPause) {
      void writer.end();
      return;
    }
  }
  run.subscribe(call.res, writer, continueOnPause);
}

/** GET /form/human_input/{token}: the definition, 404 unknown, 412 submitted or expired. */
export function getHumanInputForm(ctx: FakeDifyContext, call: IncomingCall, token: string): void {
  if (!ctx.settings.workflowEvents) return sendReply(call.res, replies.flaskNotFound());
  const form = ctx.workflowRuns.formsByToken.get(token);
  if (!form) return sendReply(call.res, replies.json(404, "not_found", "Form not found"));
  const inactive = inactiveReply(form);
  if (inactive) return sendReply(call.res, inactive);
  sendJson(call.res, 200, form.definition());
}

/** POST /form/human_input/{token} `{inputs, action, user}` → `{}`; the run resumes shortly after. */
export function postHumanInputForm(ctx: FakeDifyContext, call: IncomingCall, token: string): void {
  if (!ctx.settings.workflowEvents) return sendReply(call.res, replies.flaskNotFound());
  const json = readJsonObject(call);
  if (!json.ok) return sendReply(call.res, json.reply);
  const body = json.value;
  const user = userArg(body.user);
  if (!user.ok) return sendReply(call.res, user.reply);
  const form = ctx.workflowRuns.formsByToken.get(token);
  if (!form) return sendReply(call.res, replies.json(404, "not_found", "Form not found"));
  const inactive = inactiveReply(form);
  if (inactive) return sendReply(call.res, inactive);
  const action = typeof body.action === "string" ? body.action : "";
  if (!form.spec.actions.some((a) => a.id === action)) return sendReply(call.res, replies.json(400, "invalid_form_data", `Invalid action: ${action}`));
  const inputs = body.inputs && typeof body.inputs === "object" && !Array.isArray(body.inputs) ? (body.inputs as Record<string, unknown>) : {};
  for (const field of form.spec.inputs ?? []) {
    const value = inputs[field.outputVariableName];
    if (field.type === "select" && value !== undefined && !field.options?.includes(String(value))) {
      return sendReply(call.res, replies.json(400, "invalid_form_data", `Invalid value for ${field.outputVariableName}`));
    }
  }
  form.submit({ action, inputs, user: user.value });
  sendJson(call.res, 200, {});
}

function inactiveReply(form: { readonly id: string; readonly status: string; readonly isExpired: boolean }) {
  if (form.status === "submitted") {
    return replies.json(412, "human_input_form_submitted", `This form has already been submitted by another user, form_id=${form.id}`);
  }
  if (form.isExpired) return replies.json(412, "human_input_form_expired", `This form has expired, form_id=${form.id}`);
  return undefined;
}
