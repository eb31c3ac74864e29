import { randomUUID } from "node:crypto";
import type { AppMode } from "./options.js";
import { type ChatStep, steps, type UsageSpec, usage } from "./steps.js";
import type { FormOutcome, HumanInputSpec } from "./workflow-runs.js";

export interface AnswerOptions {
  /** Characters (code points, so emoji stay whole) per text event. @defaultValue 6 */
  readonly chunkChars?: number;
  /** Pause before each text event after the first. @defaultValue 0 */
  readonly delayMs?: number;
  readonly retrieverResources?: readonly Record<string, unknown>[];
  readonly usage?: UsageSpec;
  /** Event carrying the deltas. @defaultValue "message" */
  readonly textEvent?: "message" | "agent_message" | "message_file";
}

/** Splits text into pieces of `chunkChars` code points. */
export function chunkText(text: string, chunkChars = 6): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += Math.max(1, chunkChars)) out.push(chars.slice(i, i + Math.max(1, chunkChars)).join(""));
  return out;
}

function deltas(text: string, opts: AnswerOptions, extra: Record<string, unknown> = {}): ChatStep[] {
  const out: ChatStep[] = [];
  const textEvent = opts.textEvent ?? "message";
  chunkText(text, opts.chunkChars).forEach((piece, i) => {
    if (i > 0 && opts.delayMs) out.push(steps.delay(opts.delayMs));
    if (textEvent === "agent_message") out.push(steps.agentMessage(piece));
    else if (textEvent === "message_file") out.push(steps.messageFileText(piece));
    else out.push(steps.message(piece, extra));
  });
  return out;
}

const endOf = (text: string, opts: AnswerOptions) =>
  steps.messageEnd({ usage: opts.usage ?? { completionTokens: Math.ceil(text.length / 4) }, retrieverResources: opts.retrieverResources ?? [] });

export interface AgentOptions extends AnswerOptions {
  /** Tool rounds before the answer; each thought id is sent three times as Dify fills the step in. */
  readonly tools?: ReadonlyArray<{ readonly tool: string; readonly input: unknown; readonly observation: string; readonly thought?: string }>;
  /** A file the (last) tool produced, sent as `message_file` (url may be relative: `/files/tools/...`). */
  readonly toolFile?: { readonly url: string; readonly type?: string };
}

export interface ChatflowOptions extends AnswerOptions {
  /** @defaultValue "workflow-first" (Dify <= 1.12.1) */
  readonly order?: "workflow-first" | "message-end-first";
}

/** Whole turns for the common cases. Each returns plain steps, so tests can splice in pings, gates or faults. */
export const scripts = {
  /** Chatbot: `message` deltas, then `message_end` (with citations and usage when given). */
  answer: (text: string, opts: AnswerOptions = {}): ChatStep[] => [...deltas(text, opts), endOf(text, opts)],

  /** Chatbot 1.11.2+ with files attached: the text arrives as `message_file` events without a url. */
  messageFileText: (text: string, opts: AnswerOptions = {}): ChatStep[] => [...deltas(text, { ...opts, textEvent: "message_file" }), endOf(text, opts)],

  /** Agent (agent-chat): thought rounds (same id repeated), an optional tool file, `agent_message` deltas. */
  agent: (text: string, opts: AgentOptions = {}): ChatStep[] => {
    const out: ChatStep[] = [];
    const tools = opts.tools ?? [];
    tools.forEach((t, i) => {
      const id = randomUUID();
      const position = i + 1;
      const toolInput = JSON.stringify({ [t.tool]: t.input });
      const fileId = i === tools.length - 1 && opts.toolFile ? randomUUID() : undefined;
      out.push(steps.agentThought({ id, position }));
      out.push(steps.agentThought({ id, position, thought: t.thought ?? `I should use ${t.tool}.`, tool: t.tool, toolInput }));
      out.push(
        steps.agentThought({
          id,
          position,
          thought: t.thought ?? `I should use ${t.tool}.`,
          tool: t.tool,
          toolInput,
          observation: t.observation,
          messageFiles: fileId ? [fileId] : [],
        }),
      );
      if (fileId && opts.toolFile) out.push(steps.messageFile({ id: fileId, url: opts.toolFile.url, type: opts.toolFile.type ?? "image" }));
    });
    const answerId = randomUUID();
    out.push(steps.agentThought({ id: answerId, position: tools.length + 1 }));
    out.push(...deltas(text, { ...opts, textEvent: "agent_message" }));
    out.push(steps.agentThought({ id: answerId, position: tools.length + 1, thought: text }));
    out.push(endOf(text, opts));
    return out;
  },

  /** New Agent (`agent` mode): `agent_message` deltas, then one closing `message` with the full text (replace, not append). */
  newAgent: (text: string, opts: AnswerOptions = {}): ChatStep[] => [
    ...deltas(text, { ...opts, textEvent: "agent_message" }),
    steps.event({ event: "message", answer: text, from_variable_selector: null }, "replace"),
    // New Agent's message_end carries usage only: no retriever_resources, no annotation_reply.
    steps.event({ event: "message_end", metadata: { usage: usageOf(text, opts) }, files: null }),
  ],

  /** Chatflow: workflow and node events around `message` deltas, in either terminal order. */
  chatflow: (text: string, opts: ChatflowOptions = {}): ChatStep[] => {
    const start = { executionId: randomUUID(), nodeId: "1718000000000", nodeType: "start", title: "Start", index: 1 };
    const llm = { executionId: randomUUID(), nodeId: "1718000000001", nodeType: "llm", title: "LLM", index: 2 };
    const answer = { executionId: randomUUID(), nodeId: "answer", nodeType: "answer", title: "Answer", index: 3 };
    const end = steps.event({ event: "message_end", metadata: { retriever_resources: opts.retrieverResources ?? [], usage: usageOf(text, opts) }, files: [] });
    const finished = steps.workflowFinished({ status: "succeeded", outputs: { answer: text } });
    return [
      steps.workflowStarted(),
      steps.nodeStarted(start),
      steps.nodeFinished(start),
      steps.nodeStarted(llm),
      ...deltas(text, opts, { from_variable_selector: [llm.nodeId, "text"] }),
      steps.nodeFinished(llm, { outputs: { text } }),
      steps.nodeStarted(answer),
      steps.nodeFinished(answer, { outputs: { answer: text } }),
      ...((opts.order ?? "workflow-first") === "workflow-first" ? [finished, end] : [end, finished]),
    ];
  },

  /**
   * Workflow app (POST /workflows/run): workflow and node events, the End node's text streamed as `text_chunk`
   * (unless `streamed: false`: a run whose outputs are not streamed), then `workflow_finished` with `outputs`,
   * which ends the stream (api/core/app/apps/workflow/generate_task_pipeline.py).
   */
  workflow: (text: string, opts: AnswerOptions & { outputs?: Record<string, unknown>; streamed?: boolean; files?: readonly unknown[] } = {}): ChatStep[] => {
    const start = { executionId: randomUUID(), nodeId: "1718000000000", nodeType: "start", title: "Start", index: 1 };
    const llm = { executionId: randomUUID(), nodeId: "1718000000001", nodeType: "llm", title: "LLM", index: 2 };
    const endNode = { executionId: randomUUID(), nodeId: "1718000000002", nodeType: "end", title: "End", index: 3 };
    const outputs = opts.outputs ?? { result: text };
    const chunks: ChatStep[] = [];
    if (opts.streamed !== false) {
      chunkText(text, opts.chunkChars).forEach((piece, i) => {
        if (i > 0 && opts.delayMs) chunks.push(steps.delay(opts.delayMs));
        chunks.push(steps.textChunk(piece, [endNode.nodeId, "result"]));
      });
    }
    return [
      steps.workflowStarted(),
      steps.nodeStarted(start),
      steps.nodeFinished(start),
      steps.nodeStarted(llm),
      ...chunks,
      steps.nodeFinished(llm, { outputs: { text } }),
      steps.nodeStarted(endNode),
      steps.nodeFinished(endNode, { outputs }),
      steps.workflowFinished({ status: "succeeded", outputs, ...(opts.files ? { files: opts.files } : {}) }),
    ];
  },

  /**
   * Text Generator app (POST /completion-messages): `message` deltas, then `message_end`; no conversation on the
   * wire (CompletionAppGenerateResponseConverter, easy_ui_based_generate_task_pipeline.py).
   */
  completion: (text: string, opts: AnswerOptions = {}): ChatStep[] => [...deltas(text, opts), endOf(text, opts)],

  /**
   * A Chatflow whose HTTP node is retried and whose Agent node logs its rounds (`node_retry`, `agent_log` as
   * api/core/app/apps/common/workflow_response_converter.py sends them: `agent_log` without `workflow_run_id`),
   * each held `holdMs` so a paced reply shows it, then the answer.
   */
  chatflowRetriedNode: (text: string, opts: ChatflowOptions & { holdMs?: number } = {}): ChatStep[] => {
    const http = { executionId: randomUUID(), nodeId: "1718000000004", nodeType: "http-request", title: "Fetch report", index: 2 };
    const agentRun = randomUUID();
    const log = (id: string, label: string, parent: string | null) =>
      steps.event({
        event: "agent_log",
        data: { node_execution_id: agentRun, id, label, parent_id: parent, error: null, status: "success", data: {}, metadata: {}, node_id: "1718000000005" },
      });
    const hold = opts.holdMs ?? 0;
    return [
      steps.workflowStarted(),
      steps.nodeStarted(http),
      steps.event({
        event: "node_retry",
        data: { id: http.executionId, node_id: http.nodeId, node_type: "http-request", title: "Fetch report", index: 2, retry_index: 1, error: "timeout" },
      }),
      ...(hold ? [steps.delay(hold)] : []),
      steps.nodeFinished(http),
      log("l1", "ROUND 1", null),
      log("l2", "Thought", "l1"),
      ...(hold ? [steps.delay(hold)] : []),
      ...scripts.chatflow(text, opts).slice(1),
    ];
  },

  /** Output moderation: some or all of the text, then `message_replace`, then `message_end`. */
  replaced: (text: string, replacement: string, opts: AnswerOptions & { at?: "mid" | "end" } = {}): ChatStep[] => {
    const pieces = deltas(text, opts);
    const sent = opts.at === "mid" ? pieces.slice(0, Math.ceil(pieces.length / 2)) : pieces;
    return [...sent, steps.messageReplace(replacement), endOf(replacement, opts)];
  },

  /** Annotation hit: the stored reply one character per event, 10 ms apart, then `message_end` with `annotation_reply`. */
  annotationReply: (text: string): ChatStep[] => [
    ...deltas(text, { chunkChars: 1, delayMs: 10 }),
    steps.messageEnd({ annotationReply: { id: randomUUID(), account: { id: randomUUID(), name: "Support team" } } }),
  ],

  /** In-band failure after some text. Chatflow: the failed node and `workflow_finished` "failed" come first. */
  inBandError: (opts: { afterText?: string; chatflow?: boolean; code?: string; status?: number; message?: string } = {}): ChatStep[] => {
    const text = opts.afterText ?? "";
    if (!opts.chatflow) return [...deltas(text, {}), steps.error({ code: opts.code, status: opts.status, message: opts.message })];
    const nodeError = opts.message ?? "[openai] Error: Incorrect API key provided";
    const llm = { executionId: randomUUID(), nodeId: "1718000000001", nodeType: "llm", title: "LLM", index: 2 };
    return [
      steps.workflowStarted(),
      steps.nodeStarted(llm),
      ...deltas(text, {}),
      steps.nodeFinished(llm, { status: "failed", error: nodeError }),
      steps.workflowFinished({ status: "failed", error: nodeError }),
      steps.error({ code: opts.code ?? "invalid_param", status: opts.status ?? 400, message: `Run failed: ${nodeError}` }),
    ];
  },

  /**
   * A failed Chatflow in either order (docs/dify-2026.md §1, advanced_chat/generate_task_pipeline.py
   * `_handle_workflow_failed_event`): `finished-then-error` (1.12.1: workflow_finished failed, then `error`) or
   * `replace-end-finished` (newest: message_replace with reason `workflow_resumption_terminal`, message_end,
   * workflow_finished failed carrying the error, and no `error` event).
   */
  chatflowFailed: (opts: { afterText?: string; error?: string; order?: "finished-then-error" | "replace-end-finished" } = {}): ChatStep[] => {
    const text = opts.afterText ?? "";
    const nodeError = opts.error ?? "[openai] Error: Incorrect API key provided";
    if ((opts.order ?? "finished-then-error") === "finished-then-error") return scripts.inBandError({ afterText: text, chatflow: true, message: nodeError });
    const llm = { executionId: randomUUID(), nodeId: "1718000000001", nodeType: "llm", title: "LLM", index: 2 };
    return [
      steps.workflowStarted(),
      steps.nodeStarted(llm),
      ...deltas(text, {}),
      steps.nodeFinished(llm, { status: "failed", error: nodeError }),
      steps.messageReplace(text, "workflow_resumption_terminal"),
      steps.event({ event: "message_end", metadata: { retriever_resources: [], usage: usageOf(text, {}) }, files: [] }),
      steps.workflowFinished({ status: "failed", error: nodeError }),
    ];
  },

  /**
   * A Chatflow that streams `before`, pauses at a Human Input node for each form in turn, and after the last
   * answer streams `after` and ends like a 2026 Chatflow (message_end, then workflow_finished). `after` may
   * be a function of the submissions, so a test can prove the chosen action reached the run.
   */
  chatflowWithForms: (
    before: string,
    forms: readonly HumanInputSpec[],
    after: string | ((outcomes: readonly FormOutcome[]) => string),
    opts: AnswerOptions = {},
  ): (() => AsyncGenerator<ChatStep>) =>
    async function* run() {
      const outcomes: FormOutcome[] = [];
      const llm = { executionId: randomUUID(), nodeId: "1718000000001", nodeType: "llm", title: "LLM", index: 1 };
      yield steps.workflowStarted();
      yield steps.nodeStarted(llm);
      yield* deltas(before, opts, { from_variable_selector: [llm.nodeId, "text"] });
      yield steps.nodeFinished(llm, { outputs: { text: before } });
      for (const [i, form] of forms.entries()) {
        const node = {
          executionId: randomUUID(),
          nodeId: form.nodeId ?? `17180000001${i}0`,
          nodeType: "human-input",
          title: form.nodeTitle ?? "Approval",
          index: i + 2,
        };
        yield steps.nodeStarted(node);
        yield steps.humanInput({ ...form, nodeId: node.nodeId }, (o) => outcomes.push(o));
        yield steps.nodeFinished(node, { outputs: {} });
      }
      const tail = typeof after === "function" ? after(outcomes) : after;
      yield* deltas(tail, opts);
      const answer = `${before}${tail}`;
      yield steps.event({ event: "message_end", metadata: { retriever_resources: [], usage: usageOf(answer, opts) }, files: [] });
      yield steps.workflowFinished({ status: "succeeded", outputs: { answer } });
    },

  /** Streams `textBefore`, then holds the turn open until it is stopped or the client leaves. */
  hang: (textBefore = "", opts: AnswerOptions = {}): ChatStep[] => [...deltas(textBefore, opts), steps.waitFor(new Promise<never>(() => undefined))],

  /** The natural script for an app mode (what the fake answers when no handler is set). */
  forMode: (mode: AppMode, text: string, opts: ChatflowOptions = {}): ChatStep[] => {
    if (mode === "agent-chat") return scripts.agent(text, opts);
    if (mode === "agent") return scripts.newAgent(text, opts);
    if (mode === "advanced-chat") return scripts.chatflow(text, opts);
    if (mode === "workflow") return scripts.workflow(text, opts);
    if (mode === "completion") return scripts.completion(text, opts);
    return scripts.answer(text, opts);
  },
};

function usageOf(text: string, opts: AnswerOptions): Record<string, unknown> {
  return usage(opts.usage ?? { completionTokens: Math.ceil(text.length / 4) });
}
