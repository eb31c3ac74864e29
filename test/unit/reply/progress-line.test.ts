import { describe, expect, it } from "vitest";
import type { DifyEvent, ProgressKind } from "../../../src/dify/events.js";
import { progressLine } from "../../../src/reply/progress-line.js";

const node = (kind: ProgressKind, nodeType?: string, title?: string): DifyEvent => ({ event: "progress", kind, nodeType, title });
const tool = (name: string | undefined): DifyEvent => ({ event: "agent_thought", thought: { id: "t1", tool: name } });

describe("progressLine", () => {
  it("announces the start of a workflow, and its resumption after a pause", () => {
    expect(progressLine({ event: "workflow_started" })).toBe("Working on it…");
    expect(progressLine({ event: "workflow_started", reason: "resumption" })).toBe("Continuing…");
  });

  it("says a retried node is being retried", () => {
    expect(progressLine(node("node_retry", "http-request", "Search API"))).toBe("Retrying Search API…");
    expect(progressLine(node("node_retry", "llm"))).toBe("Retrying…");
  });

  it.each([
    ["knowledge-retrieval", "Docs", "Searching the knowledge base…"],
    ["llm", "GPT", "Thinking…"],
    ["http-request", "Weather API", "Calling Weather API…"],
    ["http-request", undefined, "Calling an external service…"],
    ["code", "Parse CSV", "Running Parse CSV…"],
    ["code", undefined, "Running code…"],
    ["tool", "Google", "Using Google…"],
    ["tool", undefined, "Using a tool…"],
    ["agent", "Planner", "Planner…"],
    ["iteration", "  Each row  ", "Each row…"],
  ])("describes a started %s node titled %s", (nodeType, title, line) => {
    expect(progressLine(node("node_started", nodeType, title))).toBe(line);
  });

  it("says nothing for nodes that run in milliseconds", () => {
    for (const quiet of ["start", "end", "answer", "if-else", "variable-assigner", "template-transform", "question-classifier"]) {
      expect(progressLine(node("node_started", quiet, "Some title")), quiet).toBeUndefined();
    }
  });

  it("says nothing for an unknown node without a title", () => {
    expect(progressLine(node("node_started", "something-new"))).toBeUndefined();
  });

  it("describes iterations and loops like started nodes, and keeps agent_log internals to itself", () => {
    expect(progressLine(node("iteration", "llm", "Summarize"))).toBe("Thinking…");
    expect(progressLine(node("loop", "code", "Retry"))).toBe("Running Retry…");
    expect(progressLine(node("agent_log", undefined, "ROUND 1"))).toBeUndefined();
  });

  it("says nothing when a node finishes", () => {
    expect(progressLine(node("node_finished", "llm", "GPT"))).toBeUndefined();
  });

  it("names the first tool an agent uses, tidied", () => {
    expect(progressLine(tool("google_search"))).toBe("Using google search…");
    expect(progressLine(tool(" wikipedia-lookup ; current_time"))).toBe("Using wikipedia lookup…");
  });

  it("recognizes knowledge-base tools", () => {
    expect(progressLine(tool("dataset_6a7f3c"))).toBe("Searching the knowledge base…");
    expect(progressLine(tool("dataset-abc"))).toBe("Searching the knowledge base…");
    expect(progressLine(tool("company_knowledge"))).toBe("Searching the knowledge base…");
    expect(progressLine(tool("retriever"))).toBe("Searching the knowledge base…");
  });

  it("says nothing for a thought without a tool", () => {
    expect(progressLine(tool(undefined))).toBeUndefined();
    expect(progressLine(tool(""))).toBeUndefined();
    expect(progressLine(tool(" ; "))).toBeUndefined();
  });

  it("says nothing for other events", () => {
    expect(progressLine({ event: "text", source: "message", answer: "hi" })).toBeUndefined();
    expect(progressLine({ event: "message_end", retrieverResources: [], files: [] })).toBeUndefined();
  });
});
