import { randomUUID } from "node:crypto";
import type { WireOptions } from "./options.js";
import type { FormOutcome, HumanInputSpec } from "./workflow-runs.js";

/**
 * A chat turn's script is a sequence of steps. Event payloads are Dify events as on the wire; the fake fills in
 * `conversation_id`, `message_id`, `created_at`, `task_id` (not on `error`), `id` (on text events and
 * `message_end`) and, for Chatflow events, `workflow_run_id`, unless the payload has the key. A key present
 * with the value `undefined` is left out of the JSON, which is how a test drops a field Dify would send.
 */
export type DifyEventPayload = { readonly event: string } & Readonly<Record<string, unknown>>;

/** What an event does to the answer Dify stores for the message (shown later by GET /messages). */
export type AnswerEffect = "append" | "replace" | "none";

/** An HTTP error sent instead of a stream (only valid before the first stream byte). */
export interface HttpErrorReply {
  readonly kind: "http-error";
  readonly status: number;
  /** An object is written as flask-restx JSON; a string is written as is (HTML pages, proxies). */
  readonly body: Readonly<Record<string, unknown>> | string;
  /** @defaultValue "application/json" for an object body, "text/html; charset=utf-8" for a string */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Dify had already written the conversation and message rows when it failed, so they stay (GET /messages shows
   * the question). Otherwise the turn leaves nothing behind, like Dify's validation errors.
   */
  readonly afterStoring?: boolean;
}

export type ChatStep =
  | { readonly kind: "event"; readonly payload: DifyEventPayload; readonly answer?: AnswerEffect }
  | { readonly kind: "ping" }
  | { readonly kind: "raw"; readonly bytes: Uint8Array | string }
  | { readonly kind: "delay"; readonly ms: number }
  | { readonly kind: "wait"; readonly until: PromiseLike<unknown> }
  | { readonly kind: "wire"; readonly wire: Partial<WireOptions> }
  | { readonly kind: "eof" }
  | { readonly kind: "reset" }
  | { readonly kind: "stored"; readonly answer: string }
  | { readonly kind: "human-input"; readonly spec: HumanInputSpec; readonly onOutcome?: ((o: FormOutcome) => void) | undefined }
  | HttpErrorReply;

export interface UsageSpec {
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  readonly latency?: number;
}

/** Dify's LLMUsage dict: token counts are integers, money fields are decimal strings. */
export function usage(spec: UsageSpec = {}): Record<string, unknown> {
  const prompt = spec.promptTokens ?? 42;
  const completion = spec.completionTokens ?? 17;
  const price = (n: number, unit: number) => (n * unit).toFixed(7);
  return {
    prompt_tokens: prompt,
    prompt_unit_price: "0.001",
    prompt_price_unit: "0.001",
    prompt_price: price(prompt, 0.000001),
    completion_tokens: completion,
    completion_unit_price: "0.002",
    completion_price_unit: "0.001",
    completion_price: price(completion, 0.000002),
    total_tokens: prompt + completion,
    total_price: (prompt * 0.000001 + completion * 0.000002).toFixed(7),
    currency: "USD",
    latency: spec.latency ?? 0.768,
    time_to_first_token: null,
    time_to_generate: null,
  };
}

/** One citation (`metadata.retriever_resources` item) with every 1.12.1 field. */
export function retrieverResource(
  spec: { position?: number; datasetName?: string; documentName?: string; content?: string; score?: number; url?: string } = {},
): Record<string, unknown> {
  return {
    position: spec.position ?? 1,
    dataset_id: randomUUID(),
    dataset_name: spec.datasetName ?? "Handbook",
    document_id: randomUUID(),
    document_name: spec.documentName ?? "time-off.md",
    data_source_type: "upload_file",
    segment_id: randomUUID(),
    retriever_from: "api",
    score: spec.score ?? 0.83,
    hit_count: 3,
    word_count: 120,
    segment_position: 2,
    index_node_hash: "b1946ac92492d2347c6235b4d2611184",
    content: spec.content ?? "Time off is requested in the HR portal at least two weeks ahead.",
    page: null,
    doc_metadata: spec.url ? { url: spec.url } : null,
    title: null,
    files: null,
    summary: null,
  };
}

export interface AgentThoughtSpec {
  readonly id?: string;
  readonly position?: number;
  readonly thought?: string;
  readonly observation?: string;
  readonly tool?: string;
  readonly toolInput?: string;
  readonly messageFiles?: readonly string[];
}

export interface NodeSpec {
  readonly nodeId?: string;
  readonly nodeType?: string;
  readonly title?: string;
  readonly index?: number;
  /** Same id in node_started and node_finished. */
  readonly executionId?: string;
}

const event = (payload: DifyEventPayload, answer?: AnswerEffect): ChatStep => (answer ? { kind: "event", payload, answer } : { kind: "event", payload });

/** Primitive steps. Composite scripts (a whole streamed answer, an agent run, a Chatflow) are in `scripts`. */
export const steps = {
  event,
  /** A chat / Chatflow answer delta. */
  message: (answer: string, extra: Record<string, unknown> = {}): ChatStep => event({ event: "message", answer, from_variable_selector: null, ...extra }),
  /** An agent-chat answer delta. */
  agentMessage: (answer: string): ChatStep => event({ event: "agent_message", answer }),
  /** A text delta sent as `message_file` (the 1.11.2+ bug when the message has files). */
  messageFileText: (answer: string): ChatStep => event({ event: "message_file", answer, from_variable_selector: null }),
  /** Output moderation replaced the answer: clients must replace, not append. */
  messageReplace: (answer: string, reason = ""): ChatStep => event({ event: "message_replace", answer, reason }),
  /** A real file produced by a tool; `url` may be relative (`/files/tools/...`). */
  messageFile: (file: { url: string; type?: string; belongsTo?: string; id?: string }): ChatStep =>
    event({ event: "message_file", id: file.id ?? randomUUID(), type: file.type ?? "image", belongs_to: file.belongsTo ?? "assistant", url: file.url }),
  agentThought: (t: AgentThoughtSpec): ChatStep =>
    event({
      event: "agent_thought",
      id: t.id ?? randomUUID(),
      position: t.position ?? 1,
      thought: t.thought ?? "",
      observation: t.observation ?? "",
      tool: t.tool ?? "",
      tool_labels: t.tool ? { [t.tool]: { en_US: t.tool, zh_Hans: t.tool } } : {},
      tool_input: t.toolInput ?? "",
      message_files: t.messageFiles ?? [],
    }),
  messageEnd: (
    meta: { usage?: UsageSpec; retrieverResources?: readonly Record<string, unknown>[]; files?: readonly unknown[] | null; annotationReply?: unknown } = {},
  ): ChatStep =>
    event({
      event: "message_end",
      metadata: { annotation_reply: meta.annotationReply ?? null, retriever_resources: meta.retrieverResources ?? [], usage: usage(meta.usage) },
      files: meta.files ?? null,
    }),
  /** In-band failure: HTTP status stays 200, no task_id, no message_end after it. */
  error: (e: { code?: string; status?: number; message?: string } = {}): ChatStep =>
    event({
      event: "error",
      code: e.code ?? "completion_request_error",
      status: e.status ?? 400,
      message: e.message ?? "[openai] Error: Rate limit reached for requests",
    }),
  /** A Workflow app's streamed text (`TextChunkStreamResponse`: `data{text, from_variable_selector}`). */
  textChunk: (text: string, fromVariableSelector: readonly string[] | null = null): ChatStep =>
    event({ event: "text_chunk", data: { text, from_variable_selector: fromVariableSelector } }),
  workflowStarted: (inputs: Record<string, unknown> = {}): ChatStep =>
    event({ event: "workflow_started", data: { workflow_id: WORKFLOW_ID, inputs, created_at: nowSeconds() } }),
  nodeStarted: (n: NodeSpec): ChatStep => event({ event: "node_started", data: nodeData(n) }),
  nodeFinished: (n: NodeSpec, result: { status?: string; outputs?: unknown; error?: string | null } = {}): ChatStep =>
    event({
      event: "node_finished",
      data: {
        ...nodeData(n),
        process_data: null,
        outputs: result.outputs ?? {},
        status: result.status ?? "succeeded",
        error: result.error ?? null,
        elapsed_time: 0.42,
        execution_metadata: null,
        finished_at: nowSeconds(),
        files: [],
      },
    }),
  workflowFinished: (r: { status?: string; error?: string | null; outputs?: unknown; files?: readonly unknown[] } = {}): ChatStep =>
    event({
      event: "workflow_finished",
      data: {
        workflow_id: WORKFLOW_ID,
        status: r.status ?? "succeeded",
        outputs: r.outputs ?? {},
        error: r.error ?? null,
        elapsed_time: 1.3,
        total_tokens: 59,
        total_steps: 3,
        created_at: nowSeconds(),
        finished_at: nowSeconds(),
        exceptions_count: 0,
        files: r.files ?? [],
      },
    }),
  /**
   * A file in a workflow's outputs as Dify serialises it (`File.to_dict()`, api/core/file/models.py): the same
   * dict is in `outputs` and in `workflow_finished.data.files` (`_fetch_files_from_node_outputs`).
   */
  outputFile: (f: { url: string; filename: string; mimeType: string; type?: string; extension?: string }): Record<string, unknown> => ({
    dify_model_identity: "__dify__file__",
    id: null,
    tenant_id: randomUUID(),
    type: f.type ?? "image",
    transfer_method: "tool_file",
    remote_url: null,
    related_id: randomUUID(),
    filename: f.filename,
    extension: f.extension ?? `.${f.filename.split(".").pop()}`,
    mime_type: f.mimeType,
    size: 68,
    url: f.url,
  }),
  ttsMessage: (audioBase64 = "SUQzBAAAAAAAI1RTU0UAAAAPAAADTGF2ZjYwLjMuMTAw"): ChatStep => event({ event: "tts_message", audio: audioBase64 }),
  ttsMessageEnd: (): ChatStep => event({ event: "tts_message_end", audio: "" }),
  /** `event: ping` with no data line, Dify's keep-alive. */
  ping: (): ChatStep => ({ kind: "ping" }),
  /** Bytes written verbatim (malformed events, comments, proxy noise). */
  raw: (bytes: Uint8Array | string): ChatStep => ({ kind: "raw", bytes }),
  delay: (ms: number): ChatStep => ({ kind: "delay", ms }),
  /** Holds the stream until the promise settles (a `createGate()`), or until stop / client close. */
  waitFor: (until: PromiseLike<unknown>): ChatStep => ({ kind: "wait", until }),
  /** Changes the wire format from this step on. */
  wire: (wire: Partial<WireOptions>): ChatStep => ({ kind: "wire", wire }),
  /** Ends the body cleanly right here, with no terminal event (a proxy cut, a restart). */
  eof: (): ChatStep => ({ kind: "eof" }),
  /** Resets the TCP connection (RST) right here. */
  reset: (): ChatStep => ({ kind: "reset" }),
  /**
   * Dify's worker produced this text and saved it with the message, but nothing reached the client (a proxy
   * holding the response back): GET /messages shows it, the stream does not. Follow with a delay to hold the
   * headers past the client's timeout (with `pingIntervalMs` beyond it, or pings would send them).
   */
  storedUnsent: (answer: string): ChatStep => ({ kind: "stored", answer }),
  /**
   * A Human Input node pauses the run (`_handle_workflow_paused_event` in advanced_chat/generate_task_pipeline.py):
   * `human_input_required`, `workflow_paused`, then the stream closes without `message_end`. The run waits for
   * the form (POST /form/human_input/{token}, or `form.submit` from a test) or its expiry, then goes on with
   * `workflow_started` (reason `resumption`) and `human_input_form_filled` / `human_input_form_timeout`, which
   * only clients on GET /workflow/{run_id}/events receive. `onOutcome` sees the answer before the rest runs.
   */
  humanInput: (spec: HumanInputSpec, onOutcome?: (o: FormOutcome) => void): ChatStep => ({ kind: "human-input", spec, onOutcome }),
};

const WORKFLOW_ID = "7f4d3c1e-2b6a-4e1f-9c8d-0a1b2c3d4e5f";

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function nodeData(n: NodeSpec): Record<string, unknown> {
  return {
    id: n.executionId ?? randomUUID(),
    node_id: n.nodeId ?? "1718000000001",
    node_type: n.nodeType ?? "llm",
    title: n.title ?? "LLM",
    index: n.index ?? 1,
    predecessor_node_id: null,
    inputs: {},
    inputs_truncated: false,
    created_at: nowSeconds(),
    extras: {},
    iteration_id: null,
    loop_id: null,
  };
}
