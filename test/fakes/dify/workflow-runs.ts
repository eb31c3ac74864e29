import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { WireOptions } from "./options.js";
import type { SseWriter } from "./sse-writer.js";
import { encodeEvent } from "./wire-format.js";

/**
 * Workflow runs of the 2026 server (Chatflow and Workflow apps), as the events endpoint and the Human Input
 * endpoints see them. Modelled on `api/services/workflow_event_snapshot_service.py` (snapshot replay, then the
 * run's pub/sub topic from now on, closing at `workflow_finished`, or at `workflow_paused` unless
 * `continue_on_pause`) and `api/services/human_input_service.py` (one-shot forms: 412 once submitted or expired).
 */

export interface HumanInputFieldSpec {
  readonly type: "paragraph" | "select" | "file" | "file-list";
  readonly outputVariableName: string;
  readonly default?: string;
  readonly options?: readonly string[];
}

export interface HumanInputSpec {
  readonly nodeId?: string;
  readonly nodeTitle?: string;
  /** Markdown with the values filled in. */
  readonly formContent: string;
  readonly inputs?: readonly HumanInputFieldSpec[];
  readonly actions: ReadonlyArray<{ readonly id: string; readonly title: string; readonly buttonStyle?: string }>;
  /** false: delivered by e-mail / console only, so `form_token` is null and only a test can resolve it. @defaultValue true */
  readonly viaApi?: boolean;
  /** @defaultValue 3600 */
  readonly expiresInSeconds?: number;
}

export interface FormSubmission {
  readonly action: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly user: string;
}

export type FormOutcome = { readonly kind: "submitted"; readonly submission: FormSubmission } | { readonly kind: "timeout" };

export class FakeForm {
  readonly id = randomUUID();
  readonly token: string | null;
  readonly nodeId: string;
  readonly nodeTitle: string;
  readonly expirationTime: number;
  status: "waiting" | "submitted" | "expired" = "waiting";
  submission: FormSubmission | undefined;
  readonly outcome: Promise<FormOutcome>;
  private settle!: (o: FormOutcome) => void;

  constructor(
    readonly runId: string,
    readonly spec: HumanInputSpec,
  ) {
    this.token = spec.viaApi === false ? null : randomUUID().replace(/-/g, "");
    this.nodeId = spec.nodeId ?? "1718000000009";
    this.nodeTitle = spec.nodeTitle ?? "Approval";
    this.expirationTime = Math.floor(Date.now() / 1000) + (spec.expiresInSeconds ?? 3600);
    this.outcome = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  get isExpired(): boolean {
    return this.status === "expired" || (this.status === "waiting" && Date.now() / 1000 > this.expirationTime);
  }

  submit(submission: FormSubmission): void {
    this.status = "submitted";
    this.submission = submission;
    this.settle({ kind: "submitted", submission });
  }

  /** The form timed out (`human_input_form_timeout`): the node takes its timeout branch. */
  expire(): void {
    this.status = "expired";
    this.settle({ kind: "timeout" });
  }

  /** `human_input_required.data`, field for field. */
  eventData(): Record<string, unknown> {
    return {
      form_id: this.id,
      node_id: this.nodeId,
      node_title: this.nodeTitle,
      form_content: this.spec.formContent,
      inputs: (this.spec.inputs ?? []).map(inputJson),
      actions: this.spec.actions.map((a) => ({ id: a.id, title: a.title, button_style: a.buttonStyle ?? "default" })),
      display_in_ui: true,
      form_token: this.token,
      resolved_default_values: Object.fromEntries((this.spec.inputs ?? []).map((i) => [i.outputVariableName, i.default ?? ""])),
      expiration_time: this.expirationTime,
    };
  }

  /** GET /form/human_input/{token} (`_jsonify_form_definition`). */
  definition(): Record<string, unknown> {
    const d = this.eventData();
    return {
      form_content: d.form_content,
      inputs: d.inputs,
      resolved_default_values: d.resolved_default_values,
      user_actions: d.actions,
      expiration_time: this.expirationTime,
    };
  }
}

function inputJson(i: HumanInputFieldSpec): Record<string, unknown> {
  return {
    type: i.type,
    output_variable_name: i.outputVariableName,
    default: i.default === undefined ? null : { type: "constant", value: i.default },
    ...(i.options ? { options: i.options } : {}),
  };
}

interface NodeSnapshot {
  readonly executionId: string;
  readonly nodeId: string;
  readonly nodeType: string;
  readonly title: string;
  readonly index: number;
  status: string;
}

interface Subscriber {
  readonly writer: SseWriter;
  readonly continueOnPause: boolean;
}

export type RunStatus = "running" | "paused" | "succeeded" | "failed" | "stopped" | "partial-succeeded";

/** One workflow run: its owner, node snapshots, current pause, final event, and the live subscribers. */
export class FakeWorkflowRun {
  status: RunStatus = "running";
  readonly nodes: NodeSnapshot[] = [];
  readonly forms: FakeForm[] = [];
  /** The `workflow_paused` event of the current pause. */
  pauseEvent: Record<string, unknown> | undefined;
  finishedEvent: Record<string, unknown> | undefined;
  startedEvent: Record<string, unknown> | undefined;
  private readonly subscribers = new Set<Subscriber>();

  constructor(
    readonly id: string,
    readonly user: string,
    readonly taskId: string,
    /** A Chatflow's message: its ids go on every snapshot event, its stored answer becomes a `message_replace`. */
    private readonly message?: () => { readonly conversationId: string; readonly messageId: string; readonly answer: string },
  ) {}

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Every event of the run passes here (the run's topic), whether or not its first client is still connected. */
  observe(event: Record<string, unknown>, wire: WireOptions): void {
    this.track(event);
    for (const s of [...this.subscribers]) {
      void s.writer.write(encodeEvent(event, wire));
      const closes = event.event === "workflow_finished" || (event.event === "workflow_paused" && !s.continueOnPause);
      if (closes) this.unsubscribe(s);
    }
  }

  /** Live events from now on, through the writer that sent the snapshot (one chain keeps them in order). */
  subscribe(res: ServerResponse, writer: SseWriter, continueOnPause: boolean): Subscriber {
    const s: Subscriber = { writer, continueOnPause };
    this.subscribers.add(s);
    res.on("close", () => this.subscribers.delete(s));
    return s;
  }

  unsubscribe(s: Subscriber): void {
    this.subscribers.delete(s);
    void s.writer.end();
  }

  /**
   * What `include_state_snapshot=true` replays (`_build_snapshot_events`): workflow_started, for a Chatflow the
   * message's stored answer as `message_replace`, every node so far, the pause if paused; a Chatflow's events
   * carry its message's ids (`_apply_message_context`). The stored answer is what the run streamed so far.
   */
  snapshot(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    const message = this.message?.();
    if (this.startedEvent) out.push({ ...this.startedEvent, data: { ...(this.startedEvent.data as object), reason: "initial" } });
    if (message) out.push({ event: "message_replace", task_id: this.taskId, answer: message.answer, reason: "" });
    for (const n of this.nodes) {
      const base = { task_id: this.taskId, workflow_run_id: this.id };
      const data = { id: n.executionId, node_id: n.nodeId, node_type: n.nodeType, title: n.title, index: n.index, inputs: null };
      out.push({ event: "node_started", ...base, data });
      if (n.status !== "running") out.push({ event: "node_finished", ...base, data: { ...data, status: n.status, outputs: null, error: null, files: [] } });
    }
    if (this.status === "paused" && this.pauseEvent) out.push(this.pauseEvent);
    if (!message) return out;
    const context = { conversation_id: message.conversationId, message_id: message.messageId };
    return out.map((e) => ({ ...e, ...context }));
  }

  private track(event: Record<string, unknown>): void {
    const data = (event.data ?? {}) as Record<string, unknown>;
    switch (event.event) {
      case "workflow_started":
        this.startedEvent ??= event;
        this.status = "running";
        this.pauseEvent = undefined;
        break;
      case "node_started":
        this.nodes.push({
          executionId: String(data.id),
          nodeId: String(data.node_id),
          nodeType: String(data.node_type),
          title: String(data.title),
          index: Number(data.index ?? 0),
          status: "running",
        });
        break;
      case "node_finished": {
        const node = this.nodes.find((n) => n.executionId === data.id);
        if (node) node.status = String(data.status ?? "succeeded");
        break;
      }
      case "workflow_paused":
        this.status = "paused";
        this.pauseEvent = event;
        break;
      case "workflow_finished":
        this.status = String(data.status ?? "succeeded") as RunStatus;
        this.finishedEvent = event;
        break;
    }
  }
}

/** Every run and form the fake knows, by id and token. */
export class WorkflowRunRegistry {
  readonly runs = new Map<string, FakeWorkflowRun>();
  readonly formsByToken = new Map<string, FakeForm>();

  create(id: string, user: string, taskId: string, message?: ConstructorParameters<typeof FakeWorkflowRun>[3]): FakeWorkflowRun {
    const run = new FakeWorkflowRun(id, user, taskId, message);
    this.runs.set(id, run);
    return run;
  }

  addForm(run: FakeWorkflowRun, spec: HumanInputSpec): FakeForm {
    const form = new FakeForm(run.id, spec);
    run.forms.push(form);
    if (form.token) this.formsByToken.set(form.token, form);
    return form;
  }

  /** Every form, newest last, for tests that answer a console-only form. */
  get forms(): FakeForm[] {
    return [...this.runs.values()].flatMap((r) => r.forms);
  }
}
