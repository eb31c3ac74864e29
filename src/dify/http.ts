import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { DifyAbortedError, DifyConnectionError, DifyTimeoutError, difyErrorFromResponse } from "./errors.js";

export interface DifyHttpOptions {
  /** Service API base including `/v1`, without a trailing slash. */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** For non-streaming calls: the whole request. */
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export interface RequestOptions {
  readonly json?: unknown;
  readonly form?: FormData;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number;
  readonly accept?: string;
}

/** Thin fetch wrapper: auth, JSON, timeouts and the one error factory. */
export class DifyHttp {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: DifyHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetchImpl = options.fetch ?? fetch;
  }

  url(path: string, query?: RequestOptions["query"]): string {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  headers(accept = "application/json", withJson = false): Record<string, string> {
    return {
      authorization: `Bearer ${this.options.apiKey}`,
      accept,
      ...(withJson ? { "content-type": "application/json" } : {}),
    };
  }

  /**
   * Sends a request and returns the response once its status is 2xx; any other status becomes a typed error.
   * `timeoutMs` bounds the wait for the headers; callers reading a stream watch it themselves.
   */
  async send(method: string, path: string, opts: RequestOptions = {}, controller = new AbortController()): Promise<Response> {
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs;
    const release = watchRequest(controller, opts.signal, timeoutMs, `no answer from Dify within ${timeoutMs} ms`);
    try {
      let res: Response;
      try {
        res = await this.fetchImpl(this.url(path, opts.query), {
          method,
          headers: this.headers(opts.accept, opts.json !== undefined),
          body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.form,
          signal: controller.signal,
        });
      } catch (err) {
        throw abortReason(controller.signal) ?? new DifyConnectionError(`cannot reach Dify at ${new URL(this.baseUrl).origin}`, { cause: err });
      }
      if (!res.ok) {
        const text = await res.text().catch(() => "");
        throw difyErrorFromResponse(res.status, text, res.headers);
      }
      return res;
    } finally {
      release();
    }
  }

  /**
   * Opens a response body as a Node stream (for Server-Sent Events). node:http is used rather than fetch: fetch
   * hands the body over as a WHATWG stream, whose per-chunk overhead dominated the cost of a busy worker
   * (thousands of answers each sending an event every 20 ms). Resolves once a 2xx status arrived; any other
   * status becomes a typed error. `controller` aborts it; `timeoutMs` bounds the wait for the headers.
   */
  openStream(
    method: string,
    path: string,
    opts: {
      /** Absent: a request without a body (GET). */
      json?: unknown;
      query?: RequestOptions["query"];
      accept: string;
      timeoutMs: number;
      headers?: Readonly<Record<string, string>> | undefined;
    },
    controller: AbortController,
  ): Promise<IncomingMessage> {
    const url = new URL(this.url(path, opts.query));
    const body = opts.json === undefined ? undefined : JSON.stringify(opts.json);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const timer = setTimeout(() => controller.abort(new DifyTimeoutError(`no answer from Dify within ${opts.timeoutMs} ms`)), opts.timeoutMs);
      const fail = (err: unknown) => {
        clearTimeout(timer);
        reject(abortReason(controller.signal) ?? new DifyConnectionError(`cannot reach Dify at ${url.origin}`, { cause: err }));
      };
      const req = send(
        url,
        {
          method,
          headers: {
            ...opts.headers,
            ...this.headers(opts.accept, body !== undefined),
            ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}),
          },
          signal: controller.signal,
        },
        (res) => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(res);
          readText(res, 64 * 1024).then(
            (text) => reject(difyErrorFromResponse(status, text, toHeaders(res.headers))),
            (err: unknown) => fail(err),
          );
        },
      );
      req.on("error", fail);
      if (body === undefined) req.end();
      else req.end(body);
    });
  }

  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const controller = new AbortController();
    // Fix: send() stops watching once the headers are in, which left the body read without the timeout and
    // deaf to the caller's signal. Keep both on until the body has been read.
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs;
    const release = watchRequest(controller, opts.signal, timeoutMs, `no complete answer from Dify within ${timeoutMs} ms`);
    try {
      const res = await this.send(method, path, opts, controller);
      try {
        const text = await res.text();
        return (text === "" ? null : JSON.parse(text)) as T;
      } catch (err) {
        throw abortReason(controller.signal) ?? new DifyConnectionError("unreadable answer from Dify", { cause: err });
      }
    } finally {
      release();
    }
  }
}

/**
 * Aborts `controller` when the caller's signal fires (DifyAbortedError) or, if given, after `timeoutMs`
 * (DifyTimeoutError). Returns the function that stops watching.
 */
export function watchRequest(controller: AbortController, signal: AbortSignal | undefined, timeoutMs?: number, timeoutText = "Dify took too long"): () => void {
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(new DifyTimeoutError(timeoutText)), timeoutMs);
  const onCallerAbort = () => controller.abort(new DifyAbortedError("request aborted by caller"));
  if (signal?.aborted) onCallerAbort();
  else signal?.addEventListener("abort", onCallerAbort, { once: true });
  return () => {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onCallerAbort);
  };
}

/** The typed error we aborted with (timeout, caller abort), if the request was aborted by us. */
export function abortReason(signal: AbortSignal): Error | undefined {
  if (!signal.aborted) return undefined;
  const reason: unknown = signal.reason;
  return reason instanceof DifyTimeoutError || reason instanceof DifyAbortedError ? reason : new DifyAbortedError("request aborted", { cause: reason });
}

function toHeaders(raw: IncomingMessage["headers"]): Headers {
  const headers = new Headers();
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  return headers;
}

async function readText(res: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (size < maxBytes) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString("utf8");
}
