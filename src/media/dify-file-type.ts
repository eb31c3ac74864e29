import type { AppParameters } from "../dify/app-parameters.js";

export type DifyFileType = "image" | "document" | "audio" | "video" | "custom";

// Dify's own extension lists (api/constants/__init__.py).
const BY_EXTENSION: Readonly<Record<string, DifyFileType>> = Object.fromEntries([
  ...["jpg", "jpeg", "png", "webp", "gif", "svg"].map((e) => [e, "image"]),
  ...[
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
    "vtt",
    "properties",
    "doc",
    "eml",
    "msg",
    "pptx",
    "ppt",
    "xml",
    "epub",
  ].map((e) => [e, "document"]),
  ...["mp3", "m4a", "wav", "amr", "mpga"].map((e) => [e, "audio"]),
  ...["mp4", "mov", "mpeg", "webm"].map((e) => [e, "video"]),
]) as Record<string, DifyFileType>;

/** @internal Exported for its unit test. */
export function extensionOf(name: string): string {
  const m = /\.([A-Za-z0-9]{1,10})$/.exec(name);
  return m ? (m[1] as string).toLowerCase() : "";
}

/**
 * The Dify file type of an attachment, from its extension, else its media type.
 * @internal Exported for its unit test.
 */
export function difyFileType(name: string, mimeType: string): DifyFileType {
  const byExt = BY_EXTENSION[extensionOf(name)];
  if (byExt) return byExt;
  const major = mimeType.split("/")[0];
  if (major === "image" || major === "audio" || major === "video") return major;
  if (mimeType === "application/pdf" || major === "text") return "document";
  return "custom";
}

/** "10 MB", "1.5 MB": limits are whole megabytes in Dify's settings, shown as such. */
function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

const KIND: Record<DifyFileType, string> = { image: "images", document: "documents", audio: "audio files", video: "videos", custom: "files" };

/** The app's own limit for that kind of file (`/parameters`), named, because Dify's 413 often has no text. */
export function tooLargeReason(type: DifyFileType, limitBytes: number): string {
  return `it is larger than the assistant's ${megabytes(limitBytes)} limit for ${KIND[type]}`;
}

export function sizeLimitBytes(type: DifyFileType, params: AppParameters): number {
  switch (type) {
    case "image":
      return params.sizeLimits.image;
    case "audio":
      return params.sizeLimits.audio;
    case "video":
      return params.sizeLimits.video;
    default:
      return params.sizeLimits.file;
  }
}

export type FileVerdict = { readonly ok: true; readonly type: DifyFileType } | { readonly ok: false; readonly reason: string };

/** Whether the app will use this file, per its file-upload settings (Dify silently ignores files it will not use). */
export function judgeFile(att: { name: string; mimeType: string; sizeBytes: number }, params: AppParameters): FileVerdict {
  const fu = params.fileUpload;
  if (!fu.enabled) return { ok: false, reason: "file upload is turned off in this assistant" };
  if (!fu.allowsLocalFile) return { ok: false, reason: "this assistant only accepts files by URL" };
  let type = difyFileType(att.name, att.mimeType);
  if (!fu.allowedTypes.includes(type)) {
    const ext = `.${extensionOf(att.name)}`;
    if (fu.allowedTypes.includes("custom") && (fu.allowedExtensions.length === 0 || fu.allowedExtensions.includes(ext))) type = "custom";
    else return { ok: false, reason: "this assistant does not accept this type of file" };
  } else if (type === "custom" && fu.allowedExtensions.length > 0 && !fu.allowedExtensions.includes(`.${extensionOf(att.name)}`)) {
    return { ok: false, reason: "this assistant does not accept this type of file" };
  }
  const limit = sizeLimitBytes(type, params);
  if (att.sizeBytes > limit) return { ok: false, reason: tooLargeReason(type, limit) };
  return { ok: true, type };
}
