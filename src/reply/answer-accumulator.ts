import type { AgentThought, DifyEvent, DifyFile, DifyIds, HumanInputForm, RetrieverResource, Usage } from "../dify/events.js";
import { progressLine } from "./progress-line.js";
import { reduceSteps, type WorkStep } from "./work-steps.js";

/** A line shown inside the answer at a point of Dify's text (who answered a form, and how). */
export interface AnswerNote {
  /** Offset in Dify's answer text the line goes after. */
  readonly at: number;
  readonly line: string;
}

/** Everything a streamed Dify answer has said so far. Built by `reduceAnswer`, one event at a time. */
export interface AnswerState {
  /** The answer text as Dify streamed it (reasoning blocks included). */
  readonly text: string;
  /** `reasoning_chunk` text (Chatflow "separated" reasoning format). */
  readonly reasoning: string;
  readonly sawAgentMessage: boolean;
  /** Agent steps, upserted by id (Dify repeats a step as it fills in). */
  readonly thoughts: readonly AgentThought[];
  readonly files: readonly DifyFile[];
  /** What the app is doing while there is no text yet ("Searching the knowledge base…"). */
  readonly progress: string | undefined;
  /** Taken from the first event that carries them. */
  readonly ids: DifyIds;
  readonly ended: boolean;
  readonly citations: readonly RetrieverResource[];
  readonly usage: Usage | undefined;
  /** A Chatflow's outcome (`workflow_finished.status`): succeeded, partial-succeeded, failed, stopped. */
  readonly workflowStatus: string | undefined;
  /** Workflow nodes and tool calls so far, as task cards. */
  readonly steps: readonly WorkStep[];
  /** `workflow_finished.data.error` of a failed run: Dify's own words for what went wrong. */
  readonly workflowError: string | undefined;
  /** The Human Input form the run is waiting for (the latest `human_input_required`). */
  readonly form: HumanInputForm | undefined;
  /** `workflow_paused` arrived: the stream ends here without `message_end`, and that is not a failure. */
  readonly paused: boolean;
  /** Lines shown inside the answer (a form answered mid-run), at their place in `text`. */
  readonly notes: readonly AnswerNote[];
}

export const EMPTY_ANSWER: AnswerState = {
  text: "",
  reasoning: "",
  sawAgentMessage: false,
  thoughts: [],
  files: [],
  progress: undefined,
  ids: {},
  ended: false,
  citations: [],
  usage: undefined,
  workflowStatus: undefined,
  steps: [],
  workflowError: undefined,
  form: undefined,
  paused: false,
  notes: [],
};

function mergeIds(ids: DifyIds, e: DifyIds): DifyIds {
  return {
    taskId: ids.taskId ?? e.taskId,
    messageId: ids.messageId ?? e.messageId,
    conversationId: ids.conversationId ?? e.conversationId,
    workflowRunId: ids.workflowRunId ?? e.workflowRunId,
  };
}

/** A signed URL without its signature: Dify signs the same file afresh (new nonce) every time it lists it. */
function unsigned(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

/**
 * A file already listed by id (`related_id` in message_end is the `id` of its `message_file`) or by URL without
 * its query is the same file. Files the user attached come back in message_end too (2026 servers): never
 * the assistant's to post.
 */
export function addFiles(files: readonly DifyFile[], more: readonly DifyFile[]): readonly DifyFile[] {
  const ids = new Set(files.flatMap((f) => (f.id ? [f.id] : [])));
  const urls = new Set(files.map((f) => unsigned(f.url)));
  const added: DifyFile[] = [];
  for (const f of more) {
    if (f.belongsTo === "user" || f.transferMethod === "local_file" || f.transferMethod === "remote_url") continue;
    if ((f.id && ids.has(f.id)) || urls.has(unsigned(f.url))) continue;
    if (f.id) ids.add(f.id);
    urls.add(unsigned(f.url));
    added.push(f);
  }
  return added.length ? [...files, ...added] : files;
}

function idsComplete(ids: DifyIds): boolean {
  return ids.taskId !== undefined && ids.messageId !== undefined && ids.conversationId !== undefined;
}

export function reduceAnswer(state: AnswerState, event: DifyEvent): AnswerState {
  // Runs once per token of every answer: copy the state once, and the ids only until they are all known.
  const ids = idsComplete(state.ids) ? state.ids : mergeIds(state.ids, event);
  if (event.event === "text") {
    if (event.source === "agent_message") return { ...state, ids, text: state.text + event.answer, sawAgentMessage: true };
    // New Agent mode closes its agent_message deltas with one `message` holding the whole answer: replace.
    if (event.source === "message" && state.sawAgentMessage) return { ...state, ids, text: event.answer };
    return { ...state, ids, text: state.text + event.answer };
  }
  const s: AnswerState = { ...state, ids };
  switch (event.event) {
    case "message_replace":
      return { ...s, text: event.answer };
    case "file":
      return { ...s, files: addFiles(s.files, [event.file]) };
    case "agent_thought": {
      const i = s.thoughts.findIndex((t) => t.id === event.thought.id);
      const thoughts = i === -1 ? [...s.thoughts, event.thought] : s.thoughts.map((t, j) => (j === i ? { ...t, ...stripEmpty(event.thought) } : t));
      return { ...s, thoughts, progress: progressLine(event) ?? s.progress, steps: reduceSteps(s.steps, event) };
    }
    case "progress":
      return { ...s, progress: progressLine(event) ?? s.progress, steps: reduceSteps(s.steps, event) };
    case "reasoning":
      return { ...s, reasoning: s.reasoning + event.text };
    case "workflow_finished":
      return { ...s, workflowStatus: event.status, workflowError: event.error, files: addFiles(s.files, event.files) };
    case "message_end":
      return {
        ...s,
        ended: true,
        citations: event.retrieverResources,
        usage: event.usage,
        files: addFiles(s.files, event.files),
        steps: reduceSteps(s.steps, event),
      };
    case "human_input_required":
      return { ...s, form: event.form, progress: undefined };
    case "workflow_paused":
      return { ...s, paused: true };
    case "workflow_started":
      return { ...s, paused: false, progress: progressLine(event) ?? s.progress };
    case "human_input_form_filled":
    case "human_input_form_timeout":
      return { ...s, form: undefined, paused: false };
    case "error":
    case "ignored":
      return s;
  }
}

function stripEmpty(t: AgentThought): Partial<AgentThought> {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined && v !== "")) as Partial<AgentThought>;
}
