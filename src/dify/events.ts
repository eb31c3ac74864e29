import { z } from "zod";

/**
 * Dify stream events, validated one by one. Dify sends the event type inside the JSON (`"event":"message"`),
 * never as an SSE `event:` line. Each schema checks only what the bridge relies on and lets the rest through,
 * so new fields never break parsing; unknown event types become `ignored`.
 */

const str = z.string();
const optStr = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);

const ids = {
  conversation_id: optStr,
  message_id: optStr,
  task_id: optStr,
  workflow_run_id: optStr,
};

export interface DifyIds {
  readonly conversationId?: string | undefined;
  readonly messageId?: string | undefined;
  readonly taskId?: string | undefined;
  /** Chatflow and Workflow events: the run's handle for re-attaching (GET /workflow/{id}/events) and resuming. */
  readonly workflowRunId?: string | undefined;
}

export interface DifyFile {
  /** The message file's id: `id` on `message_file`, `related_id` in `message_end.files` (the same value). */
  readonly id?: string | undefined;
  /** The upload behind a file the user attached (`upload_file_id`), so the bridge can tell its own uploads apart. */
  readonly uploadFileId?: string | undefined;
  readonly transferMethod?: string | undefined;
  readonly type?: string | undefined;
  readonly url: string;
  readonly filename?: string | undefined;
  readonly mimeType?: string | undefined;
  readonly belongsTo?: string | undefined;
}

export interface RetrieverResource {
  readonly position?: number | undefined;
  readonly datasetName?: string | undefined;
  readonly documentName?: string | undefined;
  readonly title?: string | undefined;
  readonly content?: string | undefined;
  readonly score?: number | undefined;
  readonly url?: string | undefined;
}

export interface Usage {
  readonly promptTokens?: number | undefined;
  readonly completionTokens?: number | undefined;
  readonly totalTokens?: number | undefined;
  readonly latencySeconds?: number | undefined;
}

export interface AgentThought {
  readonly id: string;
  readonly position?: number | undefined;
  readonly thought?: string | undefined;
  readonly tool?: string | undefined;
  readonly toolInput?: string | undefined;
  readonly observation?: string | undefined;
}

/** @internal Exported for its unit test. */
export type ProgressKind = "workflow_started" | "node_started" | "node_finished" | "node_retry" | "iteration" | "loop" | "agent_log";

/** One field of a Human Input form. */
interface HumanInputField {
  readonly type: string;
  readonly name: string;
  readonly defaultValue?: string | undefined;
  readonly options: readonly string[];
}

/** A Human Input form (`human_input_required.data`, docs/dify-2026.md §2). */
export interface HumanInputForm {
  readonly formId: string;
  readonly nodeId?: string | undefined;
  readonly title?: string | undefined;
  /** Markdown, values filled in. */
  readonly content: string;
  readonly fields: readonly HumanInputField[];
  readonly actions: ReadonlyArray<{ readonly id: string; readonly title: string; readonly style?: string | undefined }>;
  /** null: the form is delivered elsewhere (e-mail, the Dify console); chat can only wait. */
  readonly token: string | null;
  /** Unix seconds. */
  readonly expiresAt?: number | undefined;
}

export type DifyEvent = DifyIds &
  (
    | { readonly event: "text"; readonly source: "message" | "agent_message" | "message_file" | "text_chunk"; readonly answer: string }
    | { readonly event: "message_replace"; readonly answer: string }
    | { readonly event: "file"; readonly file: DifyFile }
    | { readonly event: "agent_thought"; readonly thought: AgentThought }
    | {
        readonly event: "message_end";
        readonly retrieverResources: readonly RetrieverResource[];
        readonly usage?: Usage | undefined;
        readonly files: readonly DifyFile[];
      }
    | { readonly event: "error"; readonly status?: number | undefined; readonly code?: string | undefined; readonly message?: string | undefined }
    | {
        readonly event: "progress";
        readonly kind: ProgressKind;
        /** The node run's id (same in node_started and node_finished; Dify's `data.id`). */
        readonly stepId?: string | undefined;
        readonly title?: string | undefined;
        readonly nodeType?: string | undefined;
        readonly status?: string | undefined;
      }
    | {
        readonly event: "workflow_finished";
        readonly status?: string | undefined;
        readonly error?: string | undefined;
        readonly files: readonly DifyFile[];
        /** The run's outputs (a Workflow app's answer when no `text_chunk` carried it). */
        readonly outputs?: Readonly<Record<string, unknown>> | undefined;
      }
    | { readonly event: "reasoning"; readonly text: string }
    | { readonly event: "human_input_required"; readonly form: HumanInputForm }
    | { readonly event: "workflow_paused" }
    | { readonly event: "workflow_started"; readonly reason?: string | undefined }
    | { readonly event: "human_input_form_filled"; readonly title?: string | undefined; readonly actionText?: string | undefined }
    | { readonly event: "human_input_form_timeout"; readonly title?: string | undefined }
    | { readonly event: "ignored"; readonly name: string }
  );

const fileSchema = z
  .looseObject({
    id: optStr,
    type: optStr,
    url: optStr,
    remote_url: optStr,
    related_id: optStr,
    upload_file_id: optStr,
    transfer_method: optStr,
    filename: optStr,
    mime_type: optStr,
    belongs_to: optStr,
  })
  .transform((f): DifyFile | null => {
    const url = f.url || f.remote_url;
    return url
      ? {
          id: f.id ?? f.related_id,
          uploadFileId: f.upload_file_id,
          transferMethod: f.transfer_method,
          type: f.type,
          url,
          filename: f.filename,
          mimeType: f.mime_type,
          belongsTo: f.belongs_to,
        }
      : null;
  });

const filesSchema = z
  .array(z.unknown())
  .nullish()
  .transform((list) =>
    (list ?? []).flatMap((item) => {
      const parsed = fileSchema.safeParse(item);
      return parsed.success && parsed.data ? [parsed.data] : [];
    }),
  );

const resourceSchema = z
  .looseObject({
    position: z.number().nullish(),
    dataset_name: optStr,
    document_name: optStr,
    title: optStr,
    content: optStr,
    score: z.number().nullish(),
    doc_metadata: z.record(z.string(), z.unknown()).nullish(),
  })
  .transform((r): RetrieverResource => {
    const meta = r.doc_metadata ?? {};
    const url = [meta.url, meta.source_url, meta.link].find((v): v is string => typeof v === "string" && /^https?:\/\//.test(v));
    return {
      position: r.position ?? undefined,
      datasetName: r.dataset_name,
      documentName: r.document_name,
      title: r.title,
      content: r.content,
      score: r.score ?? undefined,
      url,
    };
  });

const textLike = z.looseObject({ ...ids, answer: str, url: optStr });

const schemas = {
  message: textLike,
  agent_message: textLike,
  message_file: z.looseObject({ ...ids, answer: z.string().nullish(), url: optStr, id: optStr, type: optStr, belongs_to: optStr }),
  message_replace: z.looseObject({ ...ids, answer: str }),
  agent_thought: z.looseObject({
    ...ids,
    id: str,
    position: z.number().nullish(),
    thought: optStr,
    tool: optStr,
    tool_input: optStr,
    observation: optStr,
  }),
  message_end: z.looseObject({
    ...ids,
    metadata: z
      .looseObject({
        retriever_resources: z.array(z.unknown()).nullish(),
        usage: z
          .looseObject({
            prompt_tokens: z.number().nullish(),
            completion_tokens: z.number().nullish(),
            total_tokens: z.number().nullish(),
            latency: z.number().nullish(),
          })
          .nullish(),
      })
      .nullish(),
    files: filesSchema,
  }),
  error: z.looseObject({ ...ids, status: z.number().nullish(), code: optStr, message: optStr }),
  workflow_finished: z.looseObject({
    ...ids,
    data: z.looseObject({ status: optStr, error: optStr, files: filesSchema, outputs: z.record(z.string(), z.unknown()).nullish() }).nullish(),
  }),
  node: z.looseObject({
    ...ids,
    data: z.looseObject({ id: optStr, node_id: optStr, title: optStr, node_type: optStr, status: optStr, label: optStr }).nullish(),
  }),
  // Workflow apps (`_text_chunk_to_stream_response` in api/core/app/apps/workflow/generate_task_pipeline.py).
  text_chunk: z.looseObject({ ...ids, data: z.looseObject({ text: z.string().nullish() }).nullish() }),
  reasoning_chunk: z.looseObject({ ...ids, data: z.looseObject({ reasoning: optStr }).nullish() }),
  human_input_required: z.looseObject({
    ...ids,
    data: z.looseObject({
      form_id: str,
      node_id: optStr,
      node_title: optStr,
      form_content: z.string().nullish(),
      inputs: z
        .array(z.looseObject({ type: z.string(), output_variable_name: z.string(), default: z.unknown(), options: z.array(z.unknown()).nullish() }))
        .nullish(),
      actions: z.array(z.looseObject({ id: z.string(), title: z.string().nullish(), button_style: optStr })).nullish(),
      form_token: z.string().nullish(),
      expiration_time: z.number().nullish(),
    }),
  }),
  workflow_started: z.looseObject({ ...ids, data: z.looseObject({ reason: optStr }).nullish() }),
  human_input_form: z.looseObject({ ...ids, data: z.looseObject({ node_title: optStr, action_text: optStr }).nullish() }),
} as const;

const PROGRESS_EVENTS: Record<string, ProgressKind> = {
  node_started: "node_started",
  node_finished: "node_finished",
  node_retry: "node_retry",
  iteration_started: "iteration",
  iteration_next: "iteration",
  iteration_completed: "iteration",
  loop_started: "loop",
  loop_next: "loop",
  loop_completed: "loop",
  agent_log: "agent_log",
};

export type ParsedEvent = { ok: true; event: DifyEvent } | { ok: false; reason: string };

function idsOf(v: {
  conversation_id?: string | undefined;
  message_id?: string | undefined;
  task_id?: string | undefined;
  workflow_run_id?: string | undefined;
}): DifyIds {
  return v.workflow_run_id
    ? { conversationId: v.conversation_id, messageId: v.message_id, taskId: v.task_id, workflowRunId: v.workflow_run_id }
    : { conversationId: v.conversation_id, messageId: v.message_id, taskId: v.task_id };
}

/** One SSE data payload → a typed event, or a reason it is malformed (the caller logs and skips it). */
export function parseDifyEvent(data: string): ParsedEvent {
  return parsePayload(data, true);
}

/** @internal The schema path alone, for the unit test that holds the hand-written fast path to it. */
export function parseDifyEventBySchemas(data: string): ParsedEvent {
  return parsePayload(data, false);
}

function parsePayload(data: string, fast: boolean): ParsedEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return { ok: false, reason: "invalid JSON" };
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return { ok: false, reason: "not a JSON object" };
  const name = (raw as { event?: unknown }).event;
  if (typeof name !== "string") return { ok: false, reason: "no event name" };

  return (fast ? fastTextEvent(name, raw as Record<string, unknown>) : undefined) ?? parseWithSchemas(name, raw);
}

/**
 * The bulk of every stream (one text delta per token: `message`, `agent_message`, a Workflow's `text_chunk`),
 * checked by hand with exactly the schema's acceptance rules, since a busy worker parses tens of thousands of
 * these a second and zod costs several µs each. Anything these checks do not accept (a wrong type anywhere)
 * returns undefined and goes through the schemas, which then give the same event or the reason it is malformed.
 */
function fastTextEvent(name: string, r: Record<string, unknown>): ParsedEvent | undefined {
  if (name !== "message" && name !== "agent_message" && name !== "text_chunk") return undefined;
  const source: "message" | "agent_message" | "text_chunk" = name;
  const conversationId = r.conversation_id;
  const messageId = r.message_id;
  const taskId = r.task_id;
  const workflowRunId = r.workflow_run_id;
  if (!isOptionalString(conversationId) || !isOptionalString(messageId) || !isOptionalString(taskId) || !isOptionalString(workflowRunId)) return undefined;
  let answer: unknown;
  if (source === "text_chunk") {
    const data = r.data;
    if (data === undefined || data === null) answer = "";
    else if (typeof data !== "object" || Array.isArray(data)) return undefined;
    else {
      const text = (data as { text?: unknown }).text;
      if (!isOptionalString(text)) return undefined;
      answer = text ?? "";
    }
  } else {
    answer = r.answer;
    if (typeof answer !== "string") return undefined;
    // The schema reads `url` too (it lets nothing but a string, null or nothing through).
    if (!isOptionalString(r.url)) return undefined;
  }
  // The same object, keys and order as the schema path (`idsOf`) gives.
  const event = workflowRunId
    ? {
        event: "text" as const,
        source,
        answer: answer as string,
        conversationId: conversationId ?? undefined,
        messageId: messageId ?? undefined,
        taskId: taskId ?? undefined,
        workflowRunId,
      }
    : {
        event: "text" as const,
        source,
        answer: answer as string,
        conversationId: conversationId ?? undefined,
        messageId: messageId ?? undefined,
        taskId: taskId ?? undefined,
      };
  return { ok: true, event };
}

function parseWithSchemas(name: string, raw: unknown): ParsedEvent {
  const fail = (error: z.ZodError): ParsedEvent => ({ ok: false, reason: `${name}: ${error.issues[0]?.path.join(".")} ${error.issues[0]?.message}` });

  switch (name) {
    case "message":
    case "agent_message": {
      const p = schemas[name].safeParse(raw);
      return p.success ? { ok: true, event: { event: "text", source: name, answer: p.data.answer, ...idsOf(p.data) } } : fail(p.error);
    }
    case "message_file": {
      const p = schemas.message_file.safeParse(raw);
      if (!p.success) return fail(p.error);
      // Dify >= 1.11.2 sends chat text deltas as message_file (no url) when the message has any file attached.
      if (!p.data.url && typeof p.data.answer === "string") {
        return { ok: true, event: { event: "text", source: "message_file", answer: p.data.answer, ...idsOf(p.data) } };
      }
      if (!p.data.url) return { ok: false, reason: "message_file without url or answer" };
      return {
        ok: true,
        event: { event: "file", file: { id: p.data.id, type: p.data.type, url: p.data.url, belongsTo: p.data.belongs_to }, ...idsOf(p.data) },
      };
    }
    case "message_replace": {
      const p = schemas.message_replace.safeParse(raw);
      return p.success ? { ok: true, event: { event: "message_replace", answer: p.data.answer, ...idsOf(p.data) } } : fail(p.error);
    }
    case "agent_thought": {
      const p = schemas.agent_thought.safeParse(raw);
      if (!p.success) return fail(p.error);
      const d = p.data;
      return {
        ok: true,
        event: {
          event: "agent_thought",
          thought: { id: d.id, position: d.position ?? undefined, thought: d.thought, tool: d.tool, toolInput: d.tool_input, observation: d.observation },
          ...idsOf(d),
        },
      };
    }
    case "message_end": {
      const p = schemas.message_end.safeParse(raw);
      if (!p.success) return fail(p.error);
      const meta = p.data.metadata;
      const resources = (meta?.retriever_resources ?? []).flatMap((r) => {
        const parsed = resourceSchema.safeParse(r);
        return parsed.success ? [parsed.data] : [];
      });
      const u = meta?.usage;
      return {
        ok: true,
        event: {
          event: "message_end",
          retrieverResources: resources,
          usage: u
            ? {
                promptTokens: u.prompt_tokens ?? undefined,
                completionTokens: u.completion_tokens ?? undefined,
                totalTokens: u.total_tokens ?? undefined,
                latencySeconds: u.latency ?? undefined,
              }
            : undefined,
          files: p.data.files,
          ...idsOf(p.data),
        },
      };
    }
    case "error": {
      const p = schemas.error.safeParse(raw);
      if (!p.success) return { ok: true, event: { event: "error" } };
      return { ok: true, event: { event: "error", status: p.data.status ?? undefined, code: p.data.code, message: p.data.message, ...idsOf(p.data) } };
    }
    case "workflow_finished": {
      const p = schemas.workflow_finished.safeParse(raw);
      if (!p.success) return fail(p.error);
      return {
        ok: true,
        event: {
          event: "workflow_finished",
          status: p.data.data?.status,
          error: p.data.data?.error,
          files: p.data.data?.files ?? [],
          ...(p.data.data?.outputs ? { outputs: p.data.data.outputs } : {}),
          ...idsOf(p.data),
        },
      };
    }
    case "text_chunk": {
      const p = schemas.text_chunk.safeParse(raw);
      if (!p.success) return fail(p.error);
      return { ok: true, event: { event: "text", source: "text_chunk", answer: p.data.data?.text ?? "", ...idsOf(p.data) } };
    }
    case "reasoning_chunk": {
      const p = schemas.reasoning_chunk.safeParse(raw);
      if (!p.success) return fail(p.error);
      return { ok: true, event: { event: "reasoning", text: p.data.data?.reasoning ?? "", ...idsOf(p.data) } };
    }
    case "human_input_required": {
      const p = schemas.human_input_required.safeParse(raw);
      if (!p.success) return fail(p.error);
      return { ok: true, event: { event: "human_input_required", form: formOf(p.data.data), ...idsOf(p.data) } };
    }
    case "workflow_started": {
      const p = schemas.workflow_started.safeParse(raw);
      if (!p.success) return fail(p.error);
      return { ok: true, event: { event: "workflow_started", reason: p.data.data?.reason, ...idsOf(p.data) } };
    }
    case "workflow_paused": {
      const p = z.looseObject(ids).safeParse(raw);
      return { ok: true, event: { event: "workflow_paused", ...(p.success ? idsOf(p.data) : {}) } };
    }
    case "human_input_form_filled":
    case "human_input_form_timeout": {
      const p = schemas.human_input_form.safeParse(raw);
      if (!p.success) return fail(p.error);
      const title = p.data.data?.node_title;
      return name === "human_input_form_filled"
        ? { ok: true, event: { event: name, title, actionText: p.data.data?.action_text, ...idsOf(p.data) } }
        : { ok: true, event: { event: name, title, ...idsOf(p.data) } };
    }
    default: {
      const kind = PROGRESS_EVENTS[name];
      if (kind) {
        const p = schemas.node.safeParse(raw);
        if (!p.success) return fail(p.error);
        const d = p.data.data;
        const stepId = d?.id ?? d?.node_id;
        return {
          ok: true,
          event: {
            event: "progress",
            kind,
            ...(stepId ? { stepId } : {}),
            title: d?.title ?? d?.label,
            nodeType: d?.node_type,
            status: d?.status,
            ...idsOf(p.data),
          },
        };
      }
      // tts_message, tts_message_end, workflow_paused, parallel_branch_*, and whatever Dify adds next.
      const p = z.looseObject(ids).safeParse(raw);
      return { ok: true, event: { event: "ignored", name, ...(p.success ? idsOf(p.data) : {}) } };
    }
  }
}

type RawForm = z.infer<typeof schemas.human_input_required>["data"];

function formOf(d: RawForm): HumanInputForm {
  return {
    formId: d.form_id,
    nodeId: d.node_id,
    title: d.node_title,
    content: d.form_content ?? "",
    fields: (d.inputs ?? []).map((i) => ({
      type: i.type,
      name: i.output_variable_name,
      defaultValue: defaultOf(i.default),
      options: (i.options ?? []).map((o) => (typeof o === "string" ? o : String((o as { value?: unknown })?.value ?? o))),
    })),
    actions: (d.actions ?? []).map((a) => ({ id: a.id, title: a.title ?? a.id, style: a.button_style })),
    token: d.form_token ?? null,
    expiresAt: d.expiration_time ?? undefined,
  };
}

/** A field default is a constant `{type, value}` or a variable reference whose value Dify resolved elsewhere. */
function defaultOf(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && (v as { type?: unknown }).type === "constant") {
    const value = (v as { value?: unknown }).value;
    return typeof value === "string" ? value : undefined;
  }
  return undefined;
}

function isOptionalString(v: unknown): v is string | null | undefined {
  return v === undefined || v === null || typeof v === "string";
}
