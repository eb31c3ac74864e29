import type { Logger } from "../contracts/logger.js";
import { DifyConnectionError, DifyStreamError, DifyStreamIncompleteError, DifyTimeoutError } from "./errors.js";
import { type DifyEvent, parseDifyEvent } from "./events.js";
import { abortReason, type DifyHttp, watchRequest } from "./http.js";
import { readSse } from "./sse.js";

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
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(
      () => controller.abort(new DifyTimeoutError(`Dify sent nothing for ${opts.idleTimeoutMs} ms`)),
      opts.idleTimeoutMs,
    );
  };
  const body = {
    query: req.query,
    inputs: req.inputs,
    user: req.user,
    response_mode: "streaming",
    conversation_id: req.conversationId ?? "",
    files: (req.files ?? []).map((f) => ({ type: f.type, transfer_method: "local_file", upload_file_id: f.uploadFileId })),
    auto_generate_name: true,
  };

  let sawEnd = false;
  // Fix: the caller's signal used to be watched only until the headers arrived (inside http.send), so an
  // abort mid-stream went unnoticed until the next event or the idle timeout. Watch it for the whole stream.
  const releaseCaller = watchRequest(controller, opts.signal);
  try {
    const res = await http.send(
      "POST",
      "/chat-messages",
      { json: body, signal: opts.signal, timeoutMs: opts.idleTimeoutMs, accept: "text/event-stream" },
      controller,
    );
    const contentType = res.headers.get("content-type") ?? "";
    if (!contentType.includes("text/event-stream") || !res.body) {
      throw new DifyStreamIncompleteError(`expected an event stream, got ${contentType || "no body"}`);
    }
    opts.onAccepted?.();
    armIdle();
    const bytes = watchIdle(res.body, armIdle);
    for await (const msg of readSse(bytes, {
      maxEventChars: opts.maxEventChars,
      onOversize: (limit) => opts.logger.warn({ limitChars: limit }, "skipped a Dify event larger than the limit"),
    })) {
      const parsed = parseDifyEvent(msg.data);
      if (!parsed.ok) {
        opts.logger.warn({ reason: parsed.reason, bytes: msg.data.length }, "skipped a malformed Dify event");
        continue;
      }
      const event = parsed.event;
      if (event.event === "error") {
        throw new DifyStreamError(event.status, event.code, event.message);
      }
      if (event.event === "message_end") sawEnd = true;
      yield event;
    }
    if (!sawEnd) throw new DifyStreamIncompleteError("Dify closed the stream before message_end");
  } catch (err) {
    const reason = abortReason(controller.signal);
    if (reason) throw reason;
    if (err instanceof TypeError || (err as { name?: string }).name === "SocketError") {
      throw new DifyConnectionError("the Dify stream broke", { cause: err });
    }
    throw err;
  } finally {
    releaseCaller();
    clearTimeout(idleTimer);
    // Ends the HTTP request if the consumer left early; a no-op once the body is fully read.
    controller.abort();
  }
}

async function* watchIdle(body: AsyncIterable<Uint8Array>, onBytes: () => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    onBytes();
    yield chunk;
  }
}
