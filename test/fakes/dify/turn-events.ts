import type { ChatTurn } from "./chat-turn.js";
import type { AnswerEffect, DifyEventPayload } from "./steps.js";
import type { FakeMessage } from "./store.js";

/** Events that carry `workflow_run_id` at the top level (section 6.1); agent_log and reasoning_chunk do not. */
const WORKFLOW_EVENT = /^(workflow_|node_|iteration_|loop_|human_input_|parallel_branch_)/;
/** Events whose `id` is the message id. */
const MESSAGE_ID_EVENTS = new Set(["message", "agent_message", "message_end", "message_file"]);

/**
 * A script payload → the event as Dify would send it, keys in Dify's order: event, conversation_id,
 * message_id, created_at, task_id (never on `error`), then the event's own fields. Given keys win.
 */
export function fillEvent(payload: DifyEventPayload, turn: ChatTurn): Record<string, unknown> {
  const name = payload.event;
  const out: Record<string, unknown> = { event: name };
  const put = (key: string, value: unknown) => {
    out[key] = key in payload ? payload[key] : value;
  };
  if (turn.mode === "workflow") {
    // WorkflowAppGenerateResponseConverter.convert_stream_full_response: event, workflow_run_id, then the
    // response's own dict (task_id first); no conversation, no message (api/core/app/apps/workflow/).
    put("workflow_run_id", turn.workflowRunId);
    if (name !== "error" || "task_id" in payload) put("task_id", turn.taskId);
  } else {
    // CompletionAppGenerateResponseConverter: event, message_id, created_at, then the response's dict; the
    // completion's conversation is internal and never on the wire.
    if (turn.mode !== "completion") put("conversation_id", turn.conversationId);
    put("message_id", turn.messageId);
    put("created_at", turn.createdAt);
    if (name !== "error" || "task_id" in payload) put("task_id", turn.taskId);
    if (WORKFLOW_EVENT.test(name)) put("workflow_run_id", turn.workflowRunId);
  }
  // A message_file with a url is a real file whose `id` is the file's own id.
  if (turn.mode !== "workflow" && MESSAGE_ID_EVENTS.has(name) && !(name === "message_file" && payload.url !== undefined)) put("id", turn.messageId);
  for (const [key, value] of Object.entries(payload)) if (!(key in out)) out[key] = value;

  const data = out.data;
  if ((name === "workflow_started" || name === "workflow_finished") && data && typeof data === "object") {
    const filled: Record<string, unknown> = { id: turn.workflowRunId, ...(data as Record<string, unknown>) };
    if (name === "workflow_finished" && !("created_by" in filled)) filled.created_by = { id: turn.endUserId, user: turn.user };
    out.data = filled;
  }
  return out;
}

/** What the event does to the stored answer, unless the step said otherwise. */
export function answerEffectOf(event: Record<string, unknown>, explicit: AnswerEffect | undefined): AnswerEffect {
  if (explicit) return explicit;
  const name = event.event;
  if (name === "message_replace") return "replace";
  if (name === "message" || name === "agent_message") return typeof event.answer === "string" ? "append" : "none";
  // A Workflow run's streamed text (api/core/app/apps/workflow/generate_task_pipeline.py, _handle_text_chunk_event).
  if (name === "text_chunk") return typeof (event.data as { text?: unknown } | undefined)?.text === "string" ? "append" : "none";
  if (name === "message_file") return typeof event.answer === "string" && event.url === undefined ? "append" : "none";
  return "none";
}

/** Applies an event to the stored message, as Dify's task pipeline saves it. */
export function recordEffects(message: FakeMessage, event: Record<string, unknown>, effect: AnswerEffect): void {
  if (effect === "append") message.answer += String(event.event === "text_chunk" ? (event.data as { text?: unknown }).text : (event.answer ?? ""));
  else if (effect === "replace") message.answer = String(event.answer ?? "");
  switch (event.event) {
    case "agent_thought": {
      // Dify re-sends the same thought id as the step fills in: upsert, never append.
      const i = message.agentThoughts.findIndex((t) => t.id === event.id);
      const thought = { ...event, chain_id: null, message_id: message.id };
      if (i >= 0) message.agentThoughts[i] = thought;
      else message.agentThoughts.push(thought);
      break;
    }
    case "message_file":
      if (typeof event.url === "string") {
        message.files.push({
          id: String(event.id ?? ""),
          type: String(event.type ?? "image"),
          url: event.url,
          belongsTo: event.belongs_to === "user" ? "user" : "assistant",
          uploadFileId: null,
          filename: null,
          mimeType: null,
          size: 0,
          transferMethod: "tool_file",
        });
      }
      break;
    case "message_end": {
      const resources = (event.metadata as { retriever_resources?: unknown } | undefined)?.retriever_resources;
      if (Array.isArray(resources)) message.retrieverResources = resources;
      break;
    }
    case "error":
      message.status = "error";
      message.error = typeof event.message === "string" ? event.message : "error";
      break;
  }
}

/** The 1.11.2+ bug: in chat mode, a message with any file attached streams its text as `message_file`. */
export function applyMessageFileBug(event: Record<string, unknown>, turn: ChatTurn, enabled: boolean): Record<string, unknown> {
  if (!enabled || turn.mode !== "chat" || turn.files.length === 0 || event.event !== "message") return event;
  return { ...event, event: "message_file" };
}
