import type { Logger } from "../contracts/logger.js";
import type { RunInputs } from "./app-kind.js";
import { DifyStreamError, DifyStreamIncompleteError, DifyTimeoutError } from "./errors.js";
import { type DifyEvent, parseDifyEvent } from "./events.js";
import { abortReason, type DifyHttp, watchRequest } from "./http.js";
import { runRequest } from "./run-request.js";
import { createSseDecoder, type SseMessage } from "./sse.js";
import { translatedConsumer } from "./workflow-answer.js";

export interface ChatFileRef {
  readonly type: "image" | "document" | "audio" | "video" | "custom";
  readonly uploadFileId: string;
}

export interface ChatRequest {
  readonly query: string;
  /** Stable for the conversation scope (the thread), so feedback and stop address the same end user. */
  readonly user: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly conversationId?: string | undefined;
  readonly files?: readonly ChatFileRef[];
  /** Sent as `X-Trace-Id`, so Dify's trace of the run carries the bridge's turn id (docs/dify-2026.md §5). */
  readonly traceId?: string | undefined;
  /** A Workflow or Text Generator app: one run per message, no conversation (src/dify/run-request.ts). */
  readonly run?: RunInputs | undefined;
}

/** Dify accepts `^[A-Za-z0-9_-]{1,128}$`; anything else in an id becomes "-". */
export function traceIdFor(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 128) || "-";
}

export interface StreamOptions {
  readonly signal?: AbortSignal | undefined;
  /** Silence (not even a ping; Dify pings every ~10 s) after which the stream counts as dead. */
  readonly idleTimeoutMs: number;
  readonly maxEventChars?: number;
  readonly logger: Logger;
  /** Called once Dify has accepted the question (HTTP 200): from then on, asking again would ask twice. */
  readonly onAccepted?: () => void;
}

/** What `onEvent` may return: a promise pauses reading until it settles (e.g. the first event's bookkeeping). */
export type EventResult = void | Promise<void>;

export interface ConsumeOptions extends StreamOptions {
  /**
   * Stop reading once the answer is over: at `message_end`, or for a Chatflow (it sent workflow events) at the
   * `workflow_finished` that follows it, which alone says whether the run succeeded. TTS trailers are not needed.
   */
  readonly stopAtEnd?: boolean;
  /** How long to wait for a Chatflow's `workflow_finished` after `message_end`. @defaultValue 2_000 */
  readonly workflowEndGraceMs?: number;
  /** Stop reading right after an event this returns true for (the caller has what it needs). */
  readonly stopAfter?: (event: DifyEvent) => boolean;
}

/** Where an event stream comes from: POST /chat-messages, or a run's GET /workflow/{id}/events. */
export interface StreamSource {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly json?: unknown;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /**
   * A run's events stream may end at `workflow_finished` with no `message_end` (a run that had already finished
   * answers that one event), or at `workflow_paused`: both are complete streams.
   */
  readonly endsAtWorkflowFinished?: boolean;
}

/**
 * POST /chat-messages (or the run endpoint of a Workflow or Text Generator app) in streaming mode, pushing each typed event to `onEvent` as soon as its bytes arrive. This
 * is the core both APIs share; it hands events over synchronously from the socket's data handler (no promise
 * per event), which matters for a worker holding a thousand answers. Resolves when the stream ended after
 * `message_end` (or at it, with `stopAtEnd`). Rejects with the typed errors described on `streamChat`.
 */
export function consumeChat(http: DifyHttp, req: ChatRequest, opts: ConsumeOptions, consumer: (event: DifyEvent) => EventResult): Promise<void> {
  const request = runRequest(req);
  // A Workflow app's stream ends at workflow_finished, where its answer is settled (src/dify/workflow-answer.ts).
  const isWorkflowRun = req.run?.kind === "workflow";
  const onEvent = req.run && isWorkflowRun ? translatedConsumer(req.run, consumer) : consumer;
  const source: StreamSource = {
    method: "POST",
    path: request.path,
    json: request.body,
    headers: req.traceId ? { "X-Trace-Id": traceIdFor(req.traceId) } : undefined,
    ...(isWorkflowRun ? { endsAtWorkflowFinished: true } : {}),
  };
  return consumeEventStream(http, source, opts, onEvent);
}

/** The reading loop behind `consumeChat`, for any Dify event stream (same framing, same events). */
export async function consumeEventStream(
  http: DifyHttp,
  source: StreamSource,
  opts: ConsumeOptions,
  onEvent: (event: DifyEvent) => EventResult,
): Promise<void> {
  const controller = new AbortController();
  // Idle watch: a timestamp per chunk and a coarse timer, rather than re-arming a timer for every chunk.
  let lastBytesAt = performance.now();
  const idleCheck = setInterval(
    () => {
      if (performance.now() - lastBytesAt > opts.idleTimeoutMs) controller.abort(new DifyTimeoutError(`Dify sent nothing for ${opts.idleTimeoutMs} ms`));
    },
    Math.max(20, Math.min(5_000, Math.floor(opts.idleTimeoutMs / 5))),
  );
  idleCheck.unref();
  // The caller's signal is watched for the whole stream, not only until the headers arrive.
  const releaseCaller = watchRequest(controller, opts.signal);
  try {
    const res = await http.openStream(
      source.method,
      source.path,
      {
        ...(source.json !== undefined ? { json: source.json } : {}),
        ...(source.query ? { query: source.query } : {}),
        timeoutMs: opts.idleTimeoutMs,
        accept: "text/event-stream",
        headers: source.headers,
      },
      controller,
    );
    const contentType = String(res.headers["content-type"] ?? "");
    if (!contentType.includes("text/event-stream")) {
      res.resume();
      throw new DifyStreamIncompleteError(`expected an event stream, got ${contentType || "no body"}`);
    }
    opts.onAccepted?.();
    lastBytesAt = performance.now();
    await new Promise<void>((resolve, reject) => {
      const pending: SseMessage[] = [];
      let next = 0;
      let sawEnd = false;
      let sawWorkflow = false;
      let sawWorkflowEnd = false;
      let paused = false;
      let graceTimer: NodeJS.Timeout | undefined;
      let waiting = false;
      let ended = false;
      let done = false;
      const finish = (err?: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(graceTimer);
        if (err === undefined) resolve();
        else reject(err);
      };
      const decoder = createSseDecoder((m) => pending.push(m), {
        maxEventChars: opts.maxEventChars,
        onOversize: (limit) => opts.logger.warn({ limitChars: limit }, "skipped a Dify event larger than the limit"),
      });
      const settleEnd = () => {
        // A Chatflow paused for Human Input closes its stream after workflow_paused, without message_end.
        const complete = sawEnd || paused || (source.endsAtWorkflowFinished === true && sawWorkflowEnd);
        if (ended && !waiting && !done) finish(complete ? undefined : new DifyStreamIncompleteError("Dify closed the stream before message_end"));
      };
      const drain = (): void => {
        while (next < pending.length && !done) {
          const msg = pending[next++] as SseMessage;
          const parsed = parseDifyEvent(msg.data);
          if (!parsed.ok) {
            opts.logger.warn({ reason: parsed.reason, bytes: msg.data.length }, "skipped a malformed Dify event");
            continue;
          }
          const event = parsed.event;
          if (event.event === "error") return finish(new DifyStreamError(event.status, event.code, event.message));
          if (event.event === "message_end") sawEnd = true;
          if (event.event === "workflow_started" || event.event === "progress") sawWorkflow = true;
          if (event.event === "workflow_finished") sawWorkflowEnd = true;
          if (event.event === "workflow_paused") paused = true;
          let result: EventResult;
          try {
            result = onEvent(event);
          } catch (err) {
            return finish(err);
          }
          if (opts.stopAtEnd && sawEnd && (!sawWorkflow || sawWorkflowEnd)) return finish();
          if (opts.stopAtEnd && source.endsAtWorkflowFinished && sawWorkflowEnd) return finish();
          const stopNow = opts.stopAfter?.(event) === true;
          if (stopNow && !isPromise(result)) return finish();
          if (opts.stopAtEnd && sawEnd && event.event === "message_end") {
            graceTimer = setTimeout(() => finish(), opts.workflowEndGraceMs ?? 2_000);
            graceTimer.unref();
          }
          if (isPromise(result)) {
            waiting = true;
            res.pause();
            result.then(
              () => {
                if (stopNow) return finish();
                waiting = false;
                res.resume();
                drain();
                settleEnd();
              },
              (err: unknown) => finish(err),
            );
            return;
          }
        }
        pending.length = 0;
        next = 0;
      };
      res.on("data", (chunk: Buffer) => {
        lastBytesAt = performance.now();
        decoder.push(chunk);
        if (!waiting) drain();
      });
      res.on("end", () => {
        decoder.end();
        ended = true;
        if (!waiting) drain();
        settleEnd();
      });
      res.on("error", (err) => finish(err));
      res.on("close", () => {
        // Closed without "end": the connection broke or we aborted it.
        if (!ended) finish(abortReason(controller.signal) ?? new DifyStreamIncompleteError("the Dify stream broke"));
      });
    });
  } catch (err) {
    const reason = abortReason(controller.signal);
    if (reason) throw reason;
    if ((err as { code?: string }).code?.startsWith("DIFY_") || !(err instanceof Error) || err.name.startsWith("Dify")) throw err;
    // The connection broke mid-answer (reset, proxy cut).
    throw new DifyStreamIncompleteError("the Dify stream broke", { cause: err });
  } finally {
    clearInterval(idleCheck);
    releaseCaller();
    // Ends the HTTP request if the consumer stopped early; a no-op once the body is fully read.
    controller.abort();
  }
}

function isPromise(result: EventResult): result is Promise<void> {
  return result !== undefined && typeof (result as Promise<void>).then === "function";
}

/** Events buffered for a slow async-iterator consumer before reading pauses. */
const ITERATOR_BUFFER = 1_000;

/**
 * POST /chat-messages in streaming mode as an async iterable of typed events. Request and validation errors
 * are thrown before the first event; an in-band `error` event throws DifyStreamError; EOF without
 * `message_end`, or a connection that breaks mid-answer, throws DifyStreamIncompleteError. Leaving the loop
 * early (break/return/throw) aborts the HTTP request.
 */
export async function* streamChat(http: DifyHttp, req: ChatRequest, opts: StreamOptions): AsyncGenerator<DifyEvent> {
  const controller = new AbortController();
  const releaseCaller = watchRequest(controller, opts.signal);
  const queue: DifyEvent[] = [];
  let wake: (() => void) | undefined;
  let drained: (() => void) | undefined;
  let finished = false;
  let failure: unknown;
  const run = consumeChat(http, req, { ...opts, signal: controller.signal }, (event) => {
    queue.push(event);
    wake?.();
    if (queue.length < ITERATOR_BUFFER) return;
    return new Promise<void>((resolve) => {
      drained = resolve;
    });
  }).then(
    () => {
      finished = true;
    },
    (err: unknown) => {
      failure = err;
      finished = true;
    },
  );
  void run.then(() => wake?.());
  try {
    for (;;) {
      while (queue.length > 0) {
        yield queue.shift() as DifyEvent;
        if (queue.length === 0) drained?.();
      }
      if (finished) {
        if (failure !== undefined) throw failure;
        return;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    releaseCaller();
    controller.abort();
    await run;
  }
}
