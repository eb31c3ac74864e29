import type { StreamTasks, TaskCard } from "../contracts/chat-platform.js";
import type { DifyEvent, RetrieverResource } from "../dify/events.js";
import { isQuietNode, tidy } from "./progress-line.js";

/** One step of the app's work (a workflow node, an agent's tool call), shown as a task card in a native stream. */
export interface WorkStep extends TaskCard {
  /** A knowledge retrieval: the answer's retrieved documents are its sources. */
  readonly retrieval: boolean;
}

const FAILED = new Set(["failed", "exception", "stopped"]);

function upsert(steps: readonly WorkStep[], step: WorkStep): readonly WorkStep[] {
  const i = steps.findIndex((s) => s.id === step.id);
  return i === -1 ? [...steps, step] : steps.map((s, j) => (j === i ? { ...s, ...step, title: step.title || s.title } : s));
}

const isRetrievalTool = (tool: string) => /^dataset[_-]/i.test(tool) || /knowledge|retriev/i.test(tool);

/** The documents as sources: every title in `details`, the ones with a web address as links. */
function withSources(step: WorkStep, resources: readonly RetrieverResource[]): WorkStep {
  const docs = resources.flatMap((r) => {
    const title = (r.documentName ?? r.title ?? r.datasetName ?? "").trim();
    return title ? [{ title, url: r.url }] : [];
  });
  const titles = [...new Set(docs.map((d) => d.title))];
  if (titles.length === 0) return step;
  const sources = docs.flatMap((d) => (d.url ? [{ title: d.title, url: d.url }] : []));
  return { ...step, details: `Found ${titles.join(", ")}`, ...(sources.length ? { sources } : {}) };
}

/**
 * The steps after one more Dify event. Workflow nodes are keyed by their run id (node_started and node_finished
 * share it); quiet nodes (start, answer, branches…) are left out as in the progress line. Agent tool calls are
 * keyed by the thought's id, complete once the tool's observation arrived. The retrieved documents of
 * `message_end` become the retrieval steps' sources.
 */
export function reduceSteps(steps: readonly WorkStep[], event: DifyEvent): readonly WorkStep[] {
  switch (event.event) {
    case "progress": {
      if ((event.kind !== "node_started" && event.kind !== "node_finished") || !event.stepId || isQuietNode(event.nodeType)) return steps;
      const title = event.title?.trim() || tidy(event.nodeType ?? "step");
      const status = event.kind === "node_started" ? "in_progress" : FAILED.has(event.status ?? "") ? "error" : "complete";
      return upsert(steps, { id: event.stepId, title, status, retrieval: event.nodeType === "knowledge-retrieval" });
    }
    case "agent_thought": {
      const tool = event.thought.tool
        ?.split(";")
        .map((t) => t.trim())
        .filter(Boolean)[0];
      if (!tool) return steps;
      const status = event.thought.observation ? "complete" : "in_progress";
      return upsert(steps, { id: event.thought.id, title: `Using ${tidy(tool)}`, status, retrieval: isRetrievalTool(tool) });
    }
    case "message_end":
      if (event.retrieverResources.length === 0) return steps;
      return steps.map((s) => (s.retrieval ? withSources(s, event.retrieverResources) : s));
    default:
      return steps;
  }
}

/**
 * The cards a stream shows. At the end (`final`), steps Dify never closed are settled: complete when the answer
 * ended normally, error otherwise.
 */
export function stepCards(steps: readonly WorkStep[], plan: string | undefined, final?: { readonly ok: boolean }): StreamTasks | undefined {
  if (steps.length === 0) return undefined;
  const tasks = steps.map(({ retrieval: _retrieval, ...card }): TaskCard => {
    if (final && card.status === "in_progress") return { ...card, status: final.ok ? "complete" : "error" };
    return card;
  });
  return { ...(plan ? { plan } : {}), tasks };
}
