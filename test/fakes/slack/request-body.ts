import type { IncomingMessage } from "node:http";

/** A request body as the fake understands it: form/JSON fields, plus any uploaded file parts. */
export interface ParsedBody {
  readonly fields: Record<string, unknown>;
  readonly files: ReadonlyArray<{ readonly field: string; readonly name: string; readonly type: string; readonly data: Buffer }>;
  readonly raw: Buffer;
  readonly contentType: string;
}

// WebClient sends url-encoded forms and JSON-stringifies nested values; these fields are turned back into data.
const JSON_FIELDS = new Set(["blocks", "chunks", "metadata", "attachments", "files", "unfurls", "user_auth_blocks", "prompts", "loading_messages", "view"]);

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function decodeField(key: string, value: string): unknown {
  if (JSON_FIELDS.has(key) && /^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** Parses url-encoded, JSON and multipart bodies (multipart through the built-in Request.formData()). */
export async function parseBody(req: IncomingMessage): Promise<ParsedBody> {
  const raw = await readRaw(req);
  const contentType = String(req.headers["content-type"] ?? "");
  const fields: Record<string, unknown> = {};
  const files: Array<{ field: string; name: string; type: string; data: Buffer }> = [];
  if (contentType.startsWith("application/json")) {
    const parsed: unknown = raw.length > 0 ? JSON.parse(raw.toString("utf8")) : {};
    if (parsed && typeof parsed === "object") Object.assign(fields, parsed);
  } else if (contentType.startsWith("multipart/form-data")) {
    const form = await new Request("http://fake.local/", { method: "POST", headers: { "content-type": contentType }, body: raw }).formData();
    for (const [key, value] of form.entries()) {
      if (typeof value === "string") fields[key] = decodeField(key, value);
      else files.push({ field: key, name: value.name, type: value.type, data: Buffer.from(await value.arrayBuffer()) });
    }
  } else if (raw.length > 0) {
    for (const [key, value] of new URLSearchParams(raw.toString("utf8"))) fields[key] = decodeField(key, value);
  }
  return { fields, files, raw, contentType };
}
