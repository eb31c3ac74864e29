import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatHandler, ChatTurn, FakeStream } from "./chat-turn.js";
import type { AudioHandler, AudioTurn, FakeDifyContext, IncomingCall, RecordedEventsRequest } from "./context.js";
import { completionAppParameters, workflowAppParameters } from "./default-parameters.js";
import { DEFAULT_WIRE, defaultFakeDifyOptions, type FakeDifyOptions } from "./options.js";
import type { RecordedAudio, RecordedChatRequest, RecordedFeedback, RecordedRequest, RecordedStop } from "./records.js";
import { replies, sendReply } from "./replies.js";
import { readBody, recordOf } from "./request-record.js";
import { routeCall } from "./routes/router.js";
import { scripts } from "./scripts.js";
import type { HttpErrorReply } from "./steps.js";
import { FakeDifyStore, type FakeMessage, type FakeUpload } from "./store.js";
import { StreamMetrics } from "./stream-metrics.js";
import { StreamRun, type TurnWorkflow } from "./stream-run.js";
import { WorkflowRunRegistry } from "./workflow-runs.js";

/**
 * Options over the 1.12.1 defaults. A Workflow or Text Generator app without `parameters` gets that app type's
 * own start form (default-parameters.ts), as Dify describes such an app.
 */
function settingsOf(options: FakeDifyStartOptions): FakeDifyOptions {
  const parameters = options.mode === "workflow" ? workflowAppParameters() : options.mode === "completion" ? completionAppParameters() : undefined;
  return { ...defaultFakeDifyOptions(), ...(parameters ? { parameters } : {}), ...options, wire: { ...DEFAULT_WIRE, ...options.wire } };
}

/** Options for `FakeDifyServer.start`; `wire` may be partial. */
export type FakeDifyStartOptions = Partial<Omit<FakeDifyOptions, "wire">> & { readonly wire?: Partial<FakeDifyOptions["wire"]> };

/**
 * A Dify Service API on 127.0.0.1 (port 0) speaking the real wire format, with Dify's validation, state and
 * user scoping, scripted answers per test, wire-format switches, and records of everything it received.
 *
 * ```ts
 * const dify = await FakeDifyServer.start();
 * dify.onChat((turn) => scripts.answer(`Hello ${turn.user}`, { chunkChars: 3 }));
 * // … point the client at dify.baseUrl with dify.apiKey …
 * expect(dify.chatRequests[0]?.chat.query).toBe("hi");
 * await dify.close();
 * ```
 */
export class FakeDifyServer implements FakeDifyContext {
  /** `http://127.0.0.1:PORT`: relative file URLs (`/files/...`) resolve against it. */
  readonly origin: string;
  /** `http://127.0.0.1:PORT/v1`, the Service API base. */
  readonly baseUrl: string;
  readonly store = new FakeDifyStore();
  /** Chatflow / Workflow runs with their Human Input forms (`workflowRuns.forms`, `form.submit(...)` for console-only forms). */
  readonly workflowRuns = new WorkflowRunRegistry();
  private readonly eventsRequests: RecordedEventsRequest[] = [];
  private options: FakeDifyOptions;
  private chatHandler: ChatHandler | undefined;
  private readonly onceHandlers: ChatHandler[] = [];
  private audioHandler: AudioHandler | undefined;
  private suggestions: (message: FakeMessage) => readonly string[] = () => ["Can you tell me more?", "What are the next steps?", "Where can I read more?"];
  private interceptors: Array<(request: RecordedRequest) => HttpErrorReply | undefined> = [];
  private readonly recorded: RecordedRequest[] = [];
  private readonly stops: RecordedStop[] = [];
  private readonly feedbacks: RecordedFeedback[] = [];
  private readonly audios: RecordedAudio[] = [];
  private readonly metrics = new StreamMetrics();
  private closing: Promise<void> | undefined;
  /** Further apps on the same server (`addApp`), told apart by their API key as Dify does. */
  private readonly siblings: FakeDifyServer[] = [];

  private constructor(
    private readonly server: Server | undefined,
    options: FakeDifyOptions,
    origin?: string,
  ) {
    this.origin = origin ?? `http://127.0.0.1:${((server as Server).address() as AddressInfo).port}`;
    this.baseUrl = `${this.origin}/v1`;
    this.options = options;
  }

  /** Listens on 127.0.0.1, port 0. Every option has Dify 1.12.1's behaviour as its default. */
  static async start(options: FakeDifyStartOptions = {}): Promise<FakeDifyServer> {
    const settings = settingsOf(options);
    const server = createServer({ requestTimeout: 0, keepAliveTimeout: 5_000 });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const fake = new FakeDifyServer(server, settings);
    server.on("request", (req, res) => void fake.appFor(req).handle(req, res));
    return fake;
  }

  /**
   * Another app on this Dify: same base URL, its own API key, mode, parameters, scripts, records and state. As
   * in Dify, the key picks the app, and one app's conversations, messages and tasks are unknown to the other
   * (a foreign conversation id is a 404 "Conversation Not Exists.").
   */
  addApp(options: FakeDifyStartOptions & { readonly apiKey: string }): FakeDifyServer {
    if ([this, ...this.siblings].some((a) => a.apiKey === options.apiKey)) throw new Error("each app needs its own key");
    const app = new FakeDifyServer(undefined, settingsOf(options), this.origin);
    this.siblings.push(app);
    return app;
  }

  /** The app a request is for: the one whose key it carries (a public file: the one serving it); else this one. */
  private appFor(req: IncomingMessage): FakeDifyServer {
    if (this.siblings.length === 0) return this;
    const key = /^\s*bearer\s+(\S+)/i.exec(req.headers.authorization ?? "")?.[1];
    const path = new URL(req.url ?? "/", this.origin).pathname;
    return this.siblings.find((a) => (key !== undefined && a.apiKey === key) || (key === undefined && a.store.files.has(path))) ?? this;
  }

  get apiKey(): string {
    return this.options.apiKey;
  }

  /** Current settings. */
  get settings(): FakeDifyOptions {
    return this.options;
  }

  /** Changes settings for later requests (e.g. `{ mode: "advanced-chat" }`, `{ wire: { framing: "byte" } }`). */
  configure(patch: FakeDifyStartOptions): void {
    this.options = { ...this.options, ...patch, wire: { ...this.options.wire, ...patch.wire } };
  }

  /** The script for every later chat turn; `null` restores the default (`echo: <query>`, shaped by the app mode). */
  onChat(handler: ChatHandler | null): void {
    this.chatHandler = handler ?? undefined;
  }

  /** A handler for the next turn only; queued ones run first, in order (e.g. a 429, then a normal answer). */
  onChatOnce(...handlers: ChatHandler[]): void {
    this.onceHandlers.push(...handlers);
  }

  /** The transcript (or an HTTP error) for speech-to-text requests that passed Dify's checks. */
  onAudioToText(handler: AudioHandler | null): void {
    this.audioHandler = handler ?? undefined;
  }

  /** What GET /messages/:id/suggested returns (when the feature is enabled in /parameters). */
  setSuggestedQuestions(questions: readonly string[] | ((message: FakeMessage) => readonly string[])): void {
    this.suggestions = typeof questions === "function" ? questions : () => questions;
  }

  /** Answers matching authenticated requests with an error before the endpoint runs. Returns a remover. */
  intercept(fn: (request: RecordedRequest) => HttpErrorReply | undefined): () => void {
    this.interceptors.push(fn);
    return () => {
      this.interceptors = this.interceptors.filter((f) => f !== fn);
    };
  }

  /** Serves bytes at `path` (must start with `/files/`), without auth. Returns the path. */
  serveFile(path: string, file: { bytes: Uint8Array | string; mimeType: string; chunked?: boolean; redirectTo?: string }): string {
    if (!path.startsWith("/files/")) throw new Error("served files live under /files/");
    const bytes = typeof file.bytes === "string" ? new TextEncoder().encode(file.bytes) : file.bytes;
    this.store.files.set(path, { bytes, mimeType: file.mimeType, chunked: file.chunked ?? false, redirectTo: file.redirectTo });
    return path;
  }

  /** Registers a tool output and returns its signed relative URL, as `message_file` events carry it. */
  addToolFile(file: { bytes: Uint8Array | string; mimeType: string; extension: string; chunked?: boolean }): string {
    const path = this.serveFile(`/files/tools/${randomUUID()}.${file.extension}`, file);
    return `${path}?timestamp=${Math.floor(Date.now() / 1000)}&nonce=${randomUUID().replace(/-/g, "")}&sign=c2lnbmF0dXJl`;
  }

  get requests(): readonly RecordedRequest[] {
    return this.recorded;
  }
  get chatRequests(): readonly RecordedChatRequest[] {
    return this.recorded
      .filter((r) => r.method === "POST" && r.path === "/v1/chat-messages")
      .map((r) => ({ ...r, chat: (r.json ?? {}) as RecordedChatRequest["chat"] }));
  }
  /** POST /workflows/run calls (Workflow apps), with their JSON bodies. */
  get workflowRunRequests(): readonly RecordedChatRequest[] {
    return this.bodiesOf("/v1/workflows/run");
  }
  /** POST /completion-messages calls (Text Generator apps), with their JSON bodies. */
  get completionRequests(): readonly RecordedChatRequest[] {
    return this.bodiesOf("/v1/completion-messages");
  }
  private bodiesOf(path: string): readonly RecordedChatRequest[] {
    return this.recorded.filter((r) => r.method === "POST" && r.path === path).map((r) => ({ ...r, chat: (r.json ?? {}) as RecordedChatRequest["chat"] }));
  }
  /** Clients listening on GET /workflow/{run_id}/events for the run right now. */
  workflowRunsSubscribers(runId: string): number {
    return this.workflowRuns.runs.get(runId)?.subscriberCount ?? 0;
  }
  /** GET /workflow/{run_id}/events calls that found their run (re-attach and resume). */
  get workflowEventsRequests(): readonly RecordedEventsRequest[] {
    return this.eventsRequests;
  }
  /** POST /form/human_input/{token} calls, with their JSON bodies. */
  get formSubmissions(): readonly RecordedRequest[] {
    return this.recorded.filter((r) => r.method === "POST" && r.path.startsWith("/v1/form/human_input/"));
  }
  get feedbackRequests(): readonly RecordedFeedback[] {
    return this.feedbacks;
  }
  get stopRequests(): readonly RecordedStop[] {
    return this.stops;
  }
  get audioRequests(): readonly RecordedAudio[] {
    return this.audios;
  }
  get uploads(): readonly FakeUpload[] {
    return [...this.store.uploads.values()];
  }
  /** Every chat turn that got past validation, in start order (blocking ones too). */
  get streams(): readonly FakeStream[] {
    return this.metrics.all;
  }
  get activeStreamCount(): number {
    return this.metrics.activeCount;
  }
  get activeRequestCount(): number {
    return this.metrics.activeCount;
  }
  /** Most streams seen open at once for one conversation, or across all conversations when omitted. */
  maxConcurrentStreams(conversationId?: string): number {
    return this.metrics.maxConcurrent(conversationId);
  }
  /**
   * The first stream (already started or still to come) that matches. The predicate is checked when a stream
   * starts; for progress ("has written an event") use `waitFor`.
   */
  waitForStream(match: (s: FakeStream) => boolean = () => true, timeoutMs = 5_000): Promise<FakeStream> {
    return this.metrics.waitFor(match, timeoutMs);
  }
  /** Resolves once `condition()` is true (checked every few ms), or rejects after `timeoutMs`. */
  async waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`fake Dify: condition not met within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  /** Forgets recorded requests and streams (state such as conversations stays). */
  clearRecords(): void {
    this.recorded.length = 0;
    this.stops.length = 0;
    this.feedbacks.length = 0;
    this.audios.length = 0;
    this.eventsRequests.length = 0;
    this.metrics.clearFinished();
  }

  /** Stops listening and destroys every open connection, so open streams cannot hang the test. Idempotent. */
  close(): Promise<void> {
    const server = this.server;
    this.closing ??= server
      ? new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        })
      : Promise.resolve();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- FakeDifyContext (used by the routes) ----

  findRunningTask(taskId: string): StreamRun | undefined {
    return this.metrics.running(taskId);
  }

  async runTurn(turn: Omit<ChatTurn, "signal">, message: FakeMessage, conversationWasNew: boolean, res: ServerResponse): Promise<void> {
    const isWorkflow = turn.mode === "advanced-chat" || turn.mode === "workflow";
    const registry = this.workflowRuns;
    const workflow: TurnWorkflow | undefined = isWorkflow
      ? (() => {
          const chatMessage =
            turn.mode === "advanced-chat" ? () => ({ conversationId: turn.conversationId, messageId: turn.messageId, answer: message.answer }) : undefined;
          const wr = registry.create(turn.workflowRunId, turn.user, turn.taskId, chatMessage);
          return { run: wr, addForm: (spec) => registry.addForm(wr, spec) };
        })()
      : undefined;
    const run = new StreamRun(
      turn,
      message,
      res,
      this.options,
      (ended, reason) => {
        // Dify validates before it creates rows: a turn answered with an HTTP error leaves nothing behind, unless
        // the failure came after the rows were written (completion.py turns any later exception into a 500).
        if (reason === "http-error" && !ended.failedAfterStoring) this.store.discardTurn(message, conversationWasNew);
        this.metrics.ended(ended);
      },
      workflow,
    );
    this.metrics.started(run);
    const handler =
      this.onceHandlers.shift() ??
      this.chatHandler ??
      ((t: ChatTurn) => scripts.forMode(t.mode, `echo: ${t.query}`, { order: this.options.chatflowTerminalOrder }));
    let script: Awaited<ReturnType<ChatHandler>>;
    try {
      script = await handler(run.turn);
    } catch (err) {
      console.error("fake Dify: chat handler threw", err);
      script = replies.unknownError();
    }
    await run.run(script);
  }

  async transcribe(audio: AudioTurn): Promise<string | HttpErrorReply> {
    return this.audioHandler ? this.audioHandler(audio) : `transcript of ${audio.filename}`;
  }

  suggestionsFor(message: FakeMessage): readonly string[] {
    return this.suggestions(message);
  }

  recordStop(stop: RecordedStop): void {
    this.stops.push(stop);
  }
  recordEventsRequest(request: RecordedEventsRequest): void {
    this.eventsRequests.push(request);
  }
  recordFeedback(feedback: RecordedFeedback): void {
    this.feedbacks.push(feedback);
  }
  recordAudio(audio: RecordedAudio): void {
    this.audios.push(audio);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readBody(req, this.options.maxBodyBytes);
      const url = new URL(req.url ?? "/", this.origin);
      const record = recordOf(req, url, body ?? Buffer.alloc(0));
      if (this.options.recordRequests) this.recorded.push(record);
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
      res.writeHead = ((status: number, ...rest: unknown[]) => {
        record.status = status;
        return writeHead(status, ...rest);
      }) as typeof res.writeHead;
      // nginx refuses oversized bodies before Dify sees them, with an HTML page.
      if (body === undefined) return sendReply(res, replies.nginx(413));
      const call: IncomingCall = { req, res, method: req.method ?? "GET", path: url.pathname, query: url.searchParams, body, record };
      await routeCall(this, call, (c) => this.interceptors.map((f) => f(c.record)).find((r) => r !== undefined));
    } catch (err) {
      console.error("fake Dify: request failed", err);
      if (!res.headersSent && !res.destroyed) sendReply(res, replies.unknownError());
      else res.destroy();
    }
  }
}
