/**
 * Dify's app types as the bridge talks to them. Chat apps (Chatbot, Agent, Chatflow) keep a conversation per
 * thread on POST /chat-messages; Workflow apps (POST /workflows/run) and Text Generator apps
 * (POST /completion-messages) keep none: every message is a run of its own (docs/dify-2026.md §5).
 */
export type AppKind = "chat" | "workflow" | "completion";

/** `mode` from GET /info → how the bridge calls the app. Unknown modes are treated as chat apps. */
export function appKindOf(mode: string): AppKind {
  if (mode === "workflow") return "workflow";
  if (mode === "completion") return "completion";
  return "chat";
}

/** What a person sees the app called (doctor, logs). */
export function appKindLabel(mode: string): string {
  switch (mode) {
    case "workflow":
      return "Workflow";
    case "completion":
      return "Text Generator";
    case "advanced-chat":
      return "Chatflow";
    case "agent-chat":
    case "agent":
      return "Agent";
    case "chat":
      return "Chatbot";
    default:
      return mode || "unknown";
  }
}

/** Where a Workflow or Text Generator run puts the question and the files (variables of the app's start form). */
export interface RunInputs {
  readonly kind: "workflow" | "completion";
  /** The input variable that takes the question; undefined when the app has no text input. */
  readonly queryInput: string | undefined;
  /** The file input that takes the attachments; undefined: files go in the request's own `files` list. */
  readonly fileInput?: { readonly variable: string; readonly list: boolean } | undefined;
  /** A Workflow's output shown as the answer; undefined: the streamed text, else the only text output. */
  readonly answerOutput?: string | undefined;
}

/** The stop endpoint of a task, per app type. */
export function stopPath(kind: AppKind, taskId: string): string {
  const id = encodeURIComponent(taskId);
  if (kind === "workflow") return `/workflows/tasks/${id}/stop`;
  if (kind === "completion") return `/completion-messages/${id}/stop`;
  return `/chat-messages/${id}/stop`;
}
