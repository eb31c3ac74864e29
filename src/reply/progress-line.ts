import type { DifyEvent } from "../dify/events.js";

/** Workflow nodes not worth announcing: they run in milliseconds and mean nothing to the person asking. */
const QUIET_NODES = new Set([
  "start",
  "end",
  "answer",
  "if-else",
  "variable-assigner",
  "variable-aggregator",
  "assigner",
  "template-transform",
  "list-operator",
  "document-extractor",
  "parameter-extractor",
  "question-classifier",
]);

/** Nodes that say nothing to the person asking (see QUIET_NODES). */
export function isQuietNode(type: string | undefined): boolean {
  return QUIET_NODES.has(type ?? "");
}

export function tidy(name: string): string {
  return name.replace(/[_-]+/g, " ").trim();
}

/** A one-line description of what the app is doing, or undefined when the event says nothing useful. */
export function progressLine(event: DifyEvent): string | undefined {
  if (event.event === "agent_thought") {
    const tool = event.thought.tool
      ?.split(";")
      .map((t) => t.trim())
      .filter(Boolean)[0];
    if (!tool) return undefined;
    if (/^dataset[_-]/i.test(tool) || /knowledge|retriev/i.test(tool)) return "Searching the knowledge base…";
    return `Using ${tidy(tool)}…`;
  }
  if (event.event === "workflow_started") return event.reason === "resumption" ? "Continuing…" : "Working on it…";
  if (event.event !== "progress") return undefined;
  // agent_log labels ("ROUND 1", "Thought") are the agent's internals, not something to show people.
  if (event.kind !== "node_started" && event.kind !== "node_retry" && event.kind !== "iteration" && event.kind !== "loop") return undefined;
  const type = event.nodeType ?? "";
  const title = event.title?.trim();
  if (event.kind === "node_retry") return title ? `Retrying ${title}…` : "Retrying…";
  if (QUIET_NODES.has(type)) return undefined;
  if (type === "knowledge-retrieval") return "Searching the knowledge base…";
  if (type === "llm") return "Thinking…";
  if (type === "http-request") return title ? `Calling ${title}…` : "Calling an external service…";
  if (type === "code") return title ? `Running ${title}…` : "Running code…";
  if (type === "tool") return title ? `Using ${title}…` : "Using a tool…";
  return title ? `${title}…` : undefined;
}
