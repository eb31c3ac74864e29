import type { IncomingMessage, ServerResponse } from "node:http";

export interface UploadedFile {
  /** Multipart field name, e.g. "files[0]". */
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly data: Uint8Array;
}

export interface ParsedBody {
  /** JSON body, or the multipart `payload_json` part. */
  readonly json: unknown;
  readonly files: readonly UploadedFile[];
}

export async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON or multipart/form-data (payload_json + files[n]), the two shapes @discordjs/rest sends. */
export async function parseBody(req: IncomingMessage, raw: Buffer): Promise<ParsedBody> {
  const type = req.headers["content-type"] ?? "";
  if (raw.length === 0) return { json: undefined, files: [] };
  if (type.startsWith("multipart/form-data")) {
    const form = await new Request("http://fake.local/", { method: "POST", headers: { "content-type": type }, body: raw }).formData();
    const files: UploadedFile[] = [];
    let json: unknown;
    for (const [field, value] of form.entries()) {
      if (field === "payload_json" && typeof value === "string") json = JSON.parse(value);
      else if (typeof value !== "string") {
        files.push({ field, filename: value.name, contentType: value.type, data: new Uint8Array(await value.arrayBuffer()) });
      }
    }
    return { json, files };
  }
  return { json: JSON.parse(raw.toString("utf8")), files: [] };
}

export interface FakeResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A 204 carries no body and, crucially, no JSON content-type (@discordjs/rest would try to parse it). */
export function writeResponse(res: ServerResponse, response: FakeResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  if (response.status === 204 || response.body === undefined) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const payload = JSON.stringify(response.body);
  res.writeHead(response.status, { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) });
  res.end(payload);
}

export function discordError(status: number, code: number, message: string, errors?: unknown): FakeResponse {
  return { status, body: { code, message, ...(errors !== undefined && { errors }) } };
}
