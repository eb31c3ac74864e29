import { randomUUID } from "node:crypto";
import type { FakeDifyContext, IncomingCall } from "../context.js";
import type { RecordedFilePart } from "../records.js";
import { replies, sendJson, sendReply } from "../replies.js";
import type { HttpErrorReply } from "../steps.js";
import { DEFAULT_USER, nowSeconds } from "../store.js";
import { featureEnabled, isChatMode, NOT_CHAT_APP } from "./request-checks.js";

const MB = 1024 * 1024;
const IMAGE = new Set(["jpg", "jpeg", "png", "webp", "gif", "svg"]);
const VIDEO = new Set(["mp4", "mov", "mpeg", "webm"]);
const AUDIO = new Set(["mp3", "m4a", "wav", "amr", "mpga"]);
/** Exactly what speech-to-text takes (section 11.1); audio/mpeg, audio/mp4, audio/ogg… are refused. */
const STT_TYPES = new Set([...AUDIO].flatMap((e) => [`audio/${e}`, `audio/${e.toUpperCase()}`]));
const BAD_NAME = /[/\\:*?"<>|]/;

/** POST /v1/files/upload (section 10.1). */
export function postUpload(ctx: FakeDifyContext, call: IncomingCall): void {
  const form = call.record.form;
  const fileParts = form?.files ?? [];
  if (new Set(fileParts.map((f) => f.field)).size > 1) return sendReply(call.res, replies.json(400, "too_many_files", "Only one file is allowed."));
  const part = fileParts.find((f) => f.field === "file");
  if (!part) return sendReply(call.res, replies.json(400, "no_file_uploaded", "Please upload your file."));
  if (part.filename === "") return sendReply(call.res, replies.json(400, "filename_not_exists_error", "The specified filename does not exist."));
  if (!part.contentType) return sendReply(call.res, replies.json(415, "unsupported_file_type", "File type not allowed."));
  if (BAD_NAME.test(part.filename)) return sendReply(call.res, replies.json(400, "invalid_param", "Filename contains invalid characters"));
  const extension = part.filename.includes(".") ? (part.filename.split(".").pop() ?? "").toLowerCase() : "";
  const name = part.filename.length > 200 ? `${part.filename.split(".")[0]?.slice(0, 200)}.${extension}` : part.filename;
  // services/file_service.py: the extension blacklist, then the app's allowed types, then the size per extension class.
  if (ctx.settings.blockedExtensions.includes(extension)) {
    return sendReply(call.res, replies.json(400, "invalid_param", `File extension '.${extension}' is not allowed for security reasons`));
  }
  if (ctx.settings.uploadChecksAppFileTypes && !appAllowsExtension(ctx, extension))
    return sendReply(call.res, replies.json(415, "unsupported_file_type", "File type not allowed."));
  if (part.bytes.byteLength > sizeLimitBytes(ctx, extension)) {
    return sendReply(call.res, replies.json(413, "file_too_large", ctx.settings.fileTooLargeMessage === "empty" ? "" : "File size exceeded. {message}"));
  }

  const user = form?.fields.user || DEFAULT_USER;
  const id = randomUUID();
  const createdAt = nowSeconds();
  const createdBy = ctx.store.endUserId(user);
  // The signed preview URL (message_end.files, source_url) serves the bytes.
  ctx.store.files.set(`/files/${id}/file-preview`, { bytes: part.bytes, mimeType: part.contentType, chunked: false });
  ctx.store.uploads.set(id, { id, name, extension, mimeType: part.contentType, size: part.bytes.byteLength, bytes: part.bytes, user, createdBy, createdAt });
  sendJson(call.res, 201, {
    id,
    name,
    size: part.bytes.byteLength,
    extension,
    mime_type: part.contentType,
    created_by: createdBy,
    created_at: createdAt,
    preview_url: null,
    source_url: `/files/${id}/file-preview?timestamp=${createdAt}&nonce=${randomUUID().replace(/-/g, "")}&sign=ZmFrZS1zaWduYXR1cmU%3D`,
    original_url: null,
    user_id: null,
    tenant_id: "5b2d9c7e-1f0a-4d3b-8e6c-9a7b5c3d1e0f",
    conversation_id: null,
    file_key: null,
  });
}

const DOCUMENT = new Set([
  "txt",
  "markdown",
  "md",
  "mdx",
  "pdf",
  "html",
  "htm",
  "xlsx",
  "xls",
  "docx",
  "csv",
  "eml",
  "msg",
  "pptx",
  "xml",
  "epub",
  "ppt",
  "vtt",
  "properties",
]);

/** The app's `file_upload`: the allowed type classes, or the custom extension list. */
function appAllowsExtension(ctx: FakeDifyContext, extension: string): boolean {
  const config = (ctx.settings.parameters.file_upload ?? {}) as { allowed_file_types?: string[]; allowed_file_extensions?: string[] };
  const types = config.allowed_file_types ?? [];
  const kind = IMAGE.has(extension)
    ? "image"
    : VIDEO.has(extension)
      ? "video"
      : AUDIO.has(extension)
        ? "audio"
        : DOCUMENT.has(extension)
          ? "document"
          : "custom";
  if (types.includes(kind)) return true;
  return types.includes("custom") && (config.allowed_file_extensions ?? []).some((e) => e.replace(/^\./, "").toLowerCase() === extension);
}

function sizeLimitBytes(ctx: FakeDifyContext, extension: string): number {
  const sp = (ctx.settings.parameters.system_parameters ?? {}) as Record<string, number | undefined>;
  if (IMAGE.has(extension)) return (sp.image_file_size_limit ?? 10) * MB;
  if (VIDEO.has(extension)) return (sp.video_file_size_limit ?? 100) * MB;
  if (AUDIO.has(extension)) return (sp.audio_file_size_limit ?? 50) * MB;
  return (sp.file_size_limit ?? 15) * MB;
}

/** POST /v1/audio-to-text (section 11.1). */
export async function postAudioToText(ctx: FakeDifyContext, call: IncomingCall): Promise<void> {
  const part: RecordedFilePart | undefined = call.record.form?.files.find((f) => f.field === "file");
  const user = call.record.form?.fields.user || DEFAULT_USER;
  const answer = (status: number, reply: HttpErrorReply | { text: string }) => {
    ctx.recordAudio({
      filename: part?.filename,
      contentType: part?.contentType,
      bytes: part?.bytes,
      user: call.record.form?.fields.user,
      status,
      request: call.record,
    });
    if ("kind" in reply) sendReply(call.res, reply);
    else sendJson(call.res, status, reply);
  };
  // 1.12.1 indexes request.files["file"]: a missing part is werkzeug's BadRequestKeyError.
  if (!part) return answer(400, replies.json(400, "bad_request_key_error", "The browser (or proxy) sent a request that this server could not understand."));
  if (!isChatMode(ctx.settings.mode)) return answer(400, NOT_CHAT_APP());
  if (!featureEnabled(ctx.settings.parameters, "speech_to_text")) {
    return answer(
      400,
      ctx.settings.sttDisabledStyle === "invalid_param"
        ? replies.json(400, "invalid_param", "Speech to text is not enabled")
        : replies.json(400, "speech_to_text_disabled", "Speech to text is disabled."),
    );
  }
  const mime = (part.contentType ?? "").split(";")[0]?.trim() ?? "";
  if (!STT_TYPES.has(mime)) return answer(415, replies.json(415, "unsupported_audio_type", "Audio type not allowed."));
  if (part.bytes.byteLength > 30 * MB) return answer(413, replies.json(413, "audio_too_large", "Audio size larger than 30 mb"));
  const result = await ctx.transcribe({ filename: part.filename, contentType: mime, bytes: part.bytes, user });
  if (typeof result === "string") answer(200, { text: result });
  else answer(result.status, result);
}
