import type { FakeDifyServer } from "../../fakes/dify/index.js";

export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed body when it is JSON. */
  readonly json: unknown;
}

/** A request to the fake without our client in the way: exact headers and body, exact answer bytes. */
export async function rawRequest(
  dify: FakeDifyServer,
  method: string,
  path: string,
  options: { json?: unknown; body?: RequestInit["body"]; headers?: Record<string, string>; auth?: string | null } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  const auth = options.auth === undefined ? `Bearer ${dify.apiKey}` : options.auth;
  if (auth !== null) headers.authorization = auth;
  if (options.json !== undefined) headers["content-type"] ??= "application/json";
  const res = await fetch(`${dify.origin}${path}`, {
    method,
    headers,
    body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const chatBody = (extra: Record<string, unknown> = {}) => ({ query: "hi", inputs: {}, user: "u1", response_mode: "streaming", ...extra });

/** The `data:` payloads of an SSE body, parsed; pings appear as "ping". */
export function sseEvents(text: string): Array<Record<string, unknown> | "ping"> {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== "")
    .map((block) => (block.startsWith("event: ping") ? "ping" : (JSON.parse(block.replace(/^data: ?/, "")) as Record<string, unknown>)));
}

export function multipart(parts: ReadonlyArray<{ name: string; value: string | Uint8Array; filename?: string; type?: string }>): {
  body: Uint8Array;
  contentType: string;
} {
  const boundary = "----fakeDifyTestBoundary7MA4YWxkTrZu0gW";
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ""}\r\n`;
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, "utf8"), Buffer.from(p.value), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/form-data; boundary=${boundary}` };
}
