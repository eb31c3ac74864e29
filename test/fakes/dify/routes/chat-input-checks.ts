import { randomUUID } from "node:crypto";
import type { FakeDifyContext } from "../context.js";
import { replies } from "../replies.js";
import type { FakeMessageFile } from "../store.js";
import { type Checked, invalid, isUuid } from "./request-checks.js";

/** The payload checks of POST /chat-messages: pydantic (3.1), `inputs` (3.3) and `files` (10.3). */

const MODEL = "ChatRequestPayload";

/** The first problem pydantic would report for the body, or undefined. */
export function checkChatPayload(ctx: FakeDifyContext, body: Record<string, unknown>): Checked<undefined> {
  const problem = (field: string, type: string, msg: string, input?: unknown) => invalid(ctx, MODEL, { field, type, msg, input }, body);
  if (!("inputs" in body)) return problem("inputs", "missing", "Field required");
  if (body.inputs === null || typeof body.inputs !== "object" || Array.isArray(body.inputs))
    return problem("inputs", "dict_type", "Input should be a valid dictionary", body.inputs);
  if (!("query" in body)) return problem("query", "missing", "Field required");
  if (typeof body.query !== "string") return problem("query", "string_type", "Input should be a valid string", body.query);
  const mode = body.response_mode;
  if (mode !== undefined && mode !== null && mode !== "blocking" && mode !== "streaming")
    return problem("response_mode", "literal_error", "Input should be 'blocking' or 'streaming'", mode);
  const cid = body.conversation_id;
  if (cid !== undefined && cid !== null && typeof cid !== "string") return problem("conversation_id", "string_type", "Input should be a valid string", cid);
  if (typeof cid === "string" && cid.trim() !== "" && !isUuid(cid.trim()))
    return problem("conversation_id", "value_error", "Value error, conversation_id must be a valid UUID", cid);
  if (body.files !== undefined && body.files !== null && !Array.isArray(body.files))
    return problem("files", "list_type", "Input should be a valid list", body.files);
  return { ok: true, value: undefined };
}

/** `_validate_inputs` against the app's `user_input_form`. Undeclared keys are dropped, as Dify does. */
export function checkInputs(parameters: Readonly<Record<string, unknown>>, inputs: Record<string, unknown>): Checked<Record<string, unknown>> {
  const form = Array.isArray(parameters.user_input_form) ? (parameters.user_input_form as Record<string, unknown>[]) : [];
  const out: Record<string, unknown> = {};
  const bad = (message: string) => ({ ok: false as const, reply: replies.json(400, "invalid_param", message) });
  for (const entry of form) {
    for (const [type, raw] of Object.entries(entry)) {
      const def = raw as { variable?: string; required?: boolean; max_length?: number; options?: string[]; default?: unknown };
      if (!def.variable) continue;
      const name = def.variable;
      const value = inputs[name];
      if (value === undefined || value === null) {
        if (def.required) return bad(`${name} is required in input form`);
        if (def.default !== undefined) out[name] = def.default;
        continue;
      }
      if (type === "text-input" || type === "select" || type === "paragraph") {
        if (typeof value !== "string") return bad(`(type '${type}') ${name} in input form must be a string`);
        if (def.max_length && value.length > def.max_length) return bad(`${name} in input form must be less than ${def.max_length} characters`);
        if (type === "select" && def.options && !def.options.includes(value))
          return bad(`${name} in input form must be one of the following: [${def.options.map((o) => `'${o}'`).join(", ")}]`);
      }
      if (type === "number" && (typeof value === "boolean" || Number.isNaN(Number(value)))) return bad(`${name} in input form must be a valid number`);
      out[name] = value;
    }
  }
  return { ok: true, value: out };
}

const FILE_TYPES = new Set(["image", "document", "audio", "video", "custom"]);

/** Resolves `files[]` like `file_factory`; silently ignored when the app's file upload is off. */
export function resolveChatFiles(ctx: FakeDifyContext, files: unknown): Checked<FakeMessageFile[]> {
  const config = ctx.settings.parameters.file_upload as
    | { enabled?: boolean; allowed_file_types?: string[]; number_limits?: number; image?: { enabled?: boolean; number_limits?: number } }
    | undefined;
  const isNewShape = typeof config?.enabled === "boolean";
  const enabled = isNewShape ? config?.enabled === true : config?.image?.enabled === true;
  if (!enabled || !Array.isArray(files)) return { ok: true, value: [] };
  const allowed = isNewShape ? (config?.allowed_file_types ?? []) : ["image"];
  const limit = (isNewShape ? config?.number_limits : config?.image?.number_limits) ?? 3;
  const bad = (message: string) => ({ ok: false as const, reply: replies.json(400, "invalid_param", message) });
  const out: FakeMessageFile[] = [];
  for (const raw of files) {
    const f = (raw ?? {}) as { type?: string; transfer_method?: string; upload_file_id?: string; url?: string; remote_url?: string };
    if (!f.transfer_method) continue;
    const type = f.type ?? "custom";
    if (!FILE_TYPES.has(type)) return bad(`'${type}' is not a valid FileType`);
    if (f.transfer_method === "local_file") {
      if (!f.upload_file_id) return bad("Invalid upload file id");
      if (!isUuid(f.upload_file_id)) return bad("Invalid upload file id format");
      const upload = ctx.store.uploads.get(f.upload_file_id.toLowerCase());
      if (!upload) return bad("Invalid upload file");
      if (type !== "custom" && !allowed.includes(type)) return bad(`File validation failed for file: ${upload.name}`);
      out.push(userFileOf(upload, type));
    } else if (f.transfer_method === "remote_url") {
      const url = f.url ?? f.remote_url;
      if (!url) continue;
      const name = decodeURIComponent(new URL(url, "http://x/").pathname.split("/").pop() ?? "file");
      if (type !== "custom" && !allowed.includes(type)) return bad(`File validation failed for file: ${name}`);
      out.push({ id: randomUUID(), type, url, belongsTo: "user", uploadFileId: null, filename: name, mimeType: null, size: -1, transferMethod: "remote_url" });
    }
  }
  if (out.length > limit) return bad(`Number of files exceeds the maximum limit ${limit}`);
  return { ok: true, value: out };
}

/** A message file for something the user uploaded (`local_file`), as `file_factory` builds it. */
export function userFileOf(upload: { id: string; name: string; mimeType: string; size: number }, type: string): FakeMessageFile {
  return {
    id: randomUUID(),
    type,
    url: `/files/${upload.id}/file-preview`,
    belongsTo: "user",
    uploadFileId: upload.id,
    filename: upload.name,
    mimeType: upload.mimeType,
    size: upload.size,
    transferMethod: "local_file",
  };
}
