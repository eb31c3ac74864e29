import {
  DifyAbortedError,
  DifyConnectionError,
  DifyTimeoutError,
  difyErrorFromResponse,
} from "./errors.js";

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
    const timer = setTimeout(() => controller.abort(new DifyTimeoutError(`no answer from Dify within ${timeoutMs} ms`)), timeoutMs);
    const onCallerAbort = () => controller.abort(new DifyAbortedError("request aborted by caller"));
    if (opts.signal?.aborted) onCallerAbort();
    opts.signal?.addEventListener("abort", onCallerAbort, { once: true });
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
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onCallerAbort);
    }
  }

  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const controller = new AbortController();
    const res = await this.send(method, path, opts, controller);
    try {
      const text = await res.text();
      return (text === "" ? null : JSON.parse(text)) as T;
    } catch (err) {
      throw abortReason(controller.signal) ?? new DifyConnectionError("unreadable answer from Dify", { cause: err });
    }
  }
}

/** The typed error we aborted with (timeout, caller abort), if the request was aborted by us. */
export function abortReason(signal: AbortSignal): Error | undefined {
  if (!signal.aborted) return undefined;
  const reason: unknown = signal.reason;
  return reason instanceof DifyTimeoutError || reason instanceof DifyAbortedError ? reason : new DifyAbortedError("request aborted", { cause: reason });
}
