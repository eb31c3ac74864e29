import type { Logger } from "../contracts/logger.js";
import { DifyStreamError, DifyStreamIncompleteError, DifyTimeoutError } from "./errors.js";
import { type DifyEvent, parseDifyEvent } from "./events.js";
import { abortReason, type DifyHttp, watchRequest } from "./http.js";
import { createSseDecoder, type SseMessage } from "./sse.js";

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

/**
 * POST /chat-messages in streaming mode as an async iterable of typed events. Request and validation errors
 * are thrown before the first event; an in-band `error` event throws DifyStreamError; EOF without
 * `message_end` throws DifyStreamIncompleteError. Leaving the loop early (break/return/throw) aborts the
 * HTTP request.
 */
export async function* streamChat(http: DifyHttp, req: ChatRequest, opts: StreamOptions): AsyncGenerator<DifyEvent> {
  const controller = new AbortController();
  const body = {
    query: req.query,
    inputs: req.inputs,
    user: req.user,
    response_mode: "streaming",
    conversation_id: req.conversationId ?? "",
    files: (req.files ?? []).map((f) => ({ type: f.type, transfer_method: "local_file", upload_file_id: f.uploadFileId })),
    auto_generate_name: true,
  };

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
  let sawEnd = false;
  try {
    const res = await http.openStream("POST", "/chat-messages", { json: body, timeoutMs: opts.idleTimeoutMs, accept: "text/event-stream" }, controller);
    const contentType = String(res.headers["content-type"] ?? "");
    if (!contentType.includes("text/event-stream")) {
      res.resume();
      throw new DifyStreamIncompleteError(`expected an event stream, got ${contentType || "no body"}`);
    }
    opts.onAccepted?.();
    lastBytesAt = performance.now();
    const pending: SseMessage[] = [];
    const decoder = createSseDecoder((m) => pending.push(m), {
      maxEventChars: opts.maxEventChars,
      onOversize: (limit) => opts.logger.warn({ limitChars: limit }, "skipped a Dify event larger than the limit"),
    });
    // One loop from bytes to typed events: no generator per layer, so no promise per chunk per layer.
    const drain = function* (): Generator<DifyEvent> {
      for (let i = 0; i < pending.length; i++) {
        const msg = pending[i] as SseMessage;
        const parsed = parseDifyEvent(msg.data);
        if (!parsed.ok) {
          opts.logger.warn({ reason: parsed.reason, bytes: msg.data.length }, "skipped a malformed Dify event");
          continue;
        }
        const event = parsed.event;
        if (event.event === "error") throw new DifyStreamError(event.status, event.code, event.message);
        if (event.event === "message_end") sawEnd = true;
        yield event;
      }
      pending.length = 0;
    };
    for await (const chunk of res as AsyncIterable<Buffer>) {
      lastBytesAt = performance.now();
      decoder.push(chunk);
      if (pending.length) yield* drain();
    }
    decoder.end();
    yield* drain();
    if (!sawEnd) throw new DifyStreamIncompleteError("Dify closed the stream before message_end");
  } catch (err) {
    const reason = abortReason(controller.signal);
    if (reason) throw reason;
    if (err instanceof DifyStreamError || err instanceof DifyStreamIncompleteError || (err as { code?: string }).code?.startsWith("DIFY_")) throw err;
    // The connection broke mid-answer (reset, proxy cut).
    throw new DifyStreamIncompleteError("the Dify stream broke", { cause: err });
  } finally {
    clearInterval(idleCheck);
    releaseCaller();
    // Ends the HTTP request if the consumer left early; a no-op once the body is fully read.
    controller.abort();
  }
}
