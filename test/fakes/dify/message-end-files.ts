import { randomUUID } from "node:crypto";
import type { FakeMessage, FakeMessageFile } from "./store.js";

/**
 * `message_end.files` as the 2026 server builds it: every file of the message (the user's uploads and the
 * tool files already streamed as `message_file`), each through
 * `api/core/app/task_pipeline/message_file_utils.py::prepare_file_dict`: `related_id` is the MessageFile id
 * (the `id` its `message_file` event carried), no `belongs_to`, and every URL signed afresh with a new nonce
 * (`api/core/tools/signature.py`), so the same file never has the same URL twice.
 */
export function allMessageFiles(message: FakeMessage, scriptFiles: readonly unknown[]): unknown[] {
  const listed = new Set(scriptFiles.map((f) => (f as { related_id?: unknown }).related_id).filter((id) => typeof id === "string"));
  return [...scriptFiles, ...message.files.filter((f) => !listed.has(f.id)).map(prepareFileDict)];
}

function prepareFileDict(f: FakeMessageFile): Record<string, unknown> {
  const path = (f.url ?? "").split("?")[0] ?? "";
  const fileName = path.split("/").pop() ?? "file";
  const extension = f.filename?.includes(".") ? `.${f.filename.split(".").pop()}` : fileName.includes(".") ? `.${fileName.split(".").pop()}` : ".bin";
  return {
    related_id: f.id,
    extension,
    filename: f.filename ?? fileName,
    size: Math.max(0, f.size),
    mime_type: f.mimeType ?? "application/octet-stream",
    transfer_method: f.transferMethod,
    type: f.type,
    url: f.transferMethod === "remote_url" ? (f.url ?? "") : resign(path),
    upload_file_id: f.uploadFileId ?? f.id,
    remote_url: f.transferMethod === "remote_url" ? f.url : "",
  };
}

function resign(path: string): string {
  return `${path}?timestamp=${Math.floor(Date.now() / 1000)}&nonce=${randomUUID().replace(/-/g, "")}&sign=cmUtc2lnbmVk`;
}
