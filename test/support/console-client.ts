/** A client of the operator console over HTTP, as a browser or a script would use it. */
export interface ConsoleResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export const CONSOLE_TOKEN = "console-test-token-0123456789abcdef";

export class ConsoleClient {
  private cookie: string | undefined;

  constructor(readonly origin: string) {}

  /** Opens `?token=` once, as a person does, and keeps the session cookie the console sets. */
  async login(token = CONSOLE_TOKEN, path = "/console"): Promise<ConsoleResponse> {
    const res = await this.raw(`${path}?token=${encodeURIComponent(token)}`, { auth: "none" });
    const set = res.headers.get("set-cookie");
    if (set) this.cookie = set.split(";")[0];
    return res;
  }

  get sessionCookie(): string | undefined {
    return this.cookie;
  }

  /** A request with the session cookie (`auth: "cookie"`), a Bearer token, or nothing. */
  async raw(path: string, opts: { auth?: "cookie" | "none" | { bearer: string }; method?: string; body?: string } = {}): Promise<ConsoleResponse> {
    const headers: Record<string, string> = {};
    const auth = opts.auth ?? "cookie";
    if (auth === "cookie" && this.cookie) headers.cookie = this.cookie;
    if (typeof auth === "object") headers.authorization = `Bearer ${auth.bearer}`;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${this.origin}${path}`, {
      method: opts.method ?? "GET",
      headers,
      redirect: "manual",
      ...(opts.body !== undefined ? { body: opts.body } : {}),
    });
    return { status: res.status, headers: res.headers, body: await res.text() };
  }

  async json<T = Record<string, unknown>>(path: string, opts: Parameters<ConsoleClient["raw"]>[1] = {}): Promise<T> {
    const res = await this.raw(path, opts);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${res.body}`);
    return JSON.parse(res.body) as T;
  }
}
