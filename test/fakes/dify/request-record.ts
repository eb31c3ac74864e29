import type { IncomingMessage } from "node:http";
import { boundaryOf, parseMultipart } from "./multipart.js";
import { type RecordedRequest, timestampMs } from "./records.js";

/** The whole body, or undefined (drained) when it is larger than `maxBytes`. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size <= maxBytes) chunks.push(chunk);
  }
  return size > maxBytes ? undefined : Buffer.concat(chunks);
}

export function recordOf(req: IncomingMessage, url: URL, body: Buffer): RecordedRequest {
  const contentType = req.headers["content-type"] ?? "";
  let json: unknown;
  if (/^application\/([^/;]+\+)?json\b/i.test(contentType) && body.byteLength > 0) {
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      json = undefined;
    }
  }
  const boundary = boundaryOf(contentType);
  let form: RecordedRequest["form"];
  if (boundary) {
    const parts = parseMultipart(body, boundary);
    form = {
      fields: Object.fromEntries(parts.filter((p) => p.filename === undefined).map((p) => [p.name, Buffer.from(p.bytes).toString("utf8")])),
      files: parts
        .filter((p) => p.filename !== undefined)
        .map((p) => ({ field: p.name, filename: p.filename as string, contentType: p.contentType, bytes: p.bytes })),
    };
  }
  return {
    method: req.method ?? "GET",
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    json,
    form,
    status: 0,
    receivedAt: timestampMs(),
  };
}
