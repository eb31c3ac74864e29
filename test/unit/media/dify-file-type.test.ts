import { describe, expect, it } from "vitest";
import { parseAppParameters } from "../../../src/dify/app-parameters.js";
import { difyFileType, extensionOf, judgeFile, sizeLimitBytes } from "../../../src/media/dify-file-type.js";
import { defaultAppParameters, legacyAppParameters } from "../../fakes/dify/default-parameters.js";

const MB = 1024 * 1024;

/** App parameters as Dify returns them, with `file_upload` replaced. */
function appWithUpload(fileUpload: Record<string, unknown> | null, systemParameters?: Record<string, unknown>) {
  return parseAppParameters({ ...defaultAppParameters(), file_upload: fileUpload, ...(systemParameters ? { system_parameters: systemParameters } : {}) });
}

const upload = (patch: Record<string, unknown>) => ({
  enabled: true,
  allowed_file_types: ["image", "document"],
  allowed_file_extensions: [],
  allowed_file_upload_methods: ["local_file", "remote_url"],
  number_limits: 3,
  ...patch,
});

describe("extensionOf", () => {
  it("is the lower-cased last extension, or empty", () => {
    expect(extensionOf("report.final.PDF")).toBe("pdf");
    expect(extensionOf("Makefile")).toBe("");
    expect(extensionOf("archive.")).toBe("");
    expect(extensionOf(".env")).toBe("env");
  });
});

describe("difyFileType", () => {
  it.each([
    ["photo.JPG", "image/jpeg", "image"],
    ["diagram.svg", "image/svg+xml", "image"],
    ["notes.md", "text/markdown", "document"],
    ["sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document"],
    ["slides.ppt", "application/vnd.ms-powerpoint", "document"],
    ["mail.eml", "message/rfc822", "document"],
    ["voice.m4a", "audio/mp4", "audio"],
    ["voice.mp3", "audio/mpeg", "audio"],
    ["clip.mov", "video/quicktime", "video"],
    ["clip.webm", "video/webm", "video"],
    ["tool.zip", "application/zip", "custom"],
  ])("%s (%s) is %s", (name, mime, type) => {
    expect(difyFileType(name, mime)).toBe(type);
  });

  it("trusts the extension over the media type", () => {
    expect(difyFileType("photo.png", "application/octet-stream")).toBe("image");
    expect(difyFileType("notes.txt", "image/png")).toBe("document");
  });

  it("falls back to the media type when the extension says nothing", () => {
    expect(difyFileType("voice-message", "audio/ogg")).toBe("audio");
    expect(difyFileType("voice.ogg", "audio/ogg")).toBe("audio");
    expect(difyFileType("screenshot", "image/heic")).toBe("image");
    expect(difyFileType("recording.mkv", "video/x-matroska")).toBe("video");
    expect(difyFileType("scan", "application/pdf")).toBe("document");
    expect(difyFileType("README", "text/plain")).toBe("document");
    expect(difyFileType("blob", "application/octet-stream")).toBe("custom");
    expect(difyFileType("blob", "")).toBe("custom");
  });
});

describe("judgeFile", () => {
  const realistic = parseAppParameters(defaultAppParameters());

  it("accepts a file of an allowed type within its size limit", () => {
    expect(judgeFile({ name: "photo.png", mimeType: "image/png", sizeBytes: 2 * MB }, realistic)).toEqual({ ok: true, type: "image" });
    expect(judgeFile({ name: "handbook.pdf", mimeType: "application/pdf", sizeBytes: 15 * MB }, realistic)).toEqual({ ok: true, type: "document" });
  });

  it("rejects a type the app does not accept", () => {
    expect(judgeFile({ name: "clip.mp4", mimeType: "video/mp4", sizeBytes: MB }, realistic)).toEqual({
      ok: false,
      reason: "this assistant does not accept this type of file",
    });
    expect(judgeFile({ name: "voice.m4a", mimeType: "audio/mp4", sizeBytes: MB }, realistic).ok).toBe(false);
  });

  it("rejects files over the app's limit for their type, naming the limit", () => {
    expect(judgeFile({ name: "photo.png", mimeType: "image/png", sizeBytes: 10 * MB + 1 }, realistic)).toEqual({
      ok: false,
      reason: "it is larger than the assistant's 10 MB limit for images",
    });
    expect(judgeFile({ name: "big.pdf", mimeType: "application/pdf", sizeBytes: 15 * MB + 1 }, realistic)).toEqual({
      ok: false,
      reason: "it is larger than the assistant's 15 MB limit for documents",
    });
  });

  it("uses the limits the app declares", () => {
    const params = appWithUpload(upload({ allowed_file_types: ["image", "video", "audio", "document"] }), {
      image_file_size_limit: 2,
      video_file_size_limit: 300,
      audio_file_size_limit: 25,
      file_size_limit: 50,
    });
    expect(sizeLimitBytes("image", params)).toBe(2 * MB);
    expect(sizeLimitBytes("video", params)).toBe(300 * MB);
    expect(sizeLimitBytes("audio", params)).toBe(25 * MB);
    expect(sizeLimitBytes("document", params)).toBe(50 * MB);
    expect(sizeLimitBytes("custom", params)).toBe(50 * MB);
    expect(judgeFile({ name: "photo.png", mimeType: "image/png", sizeBytes: 3 * MB }, params).ok).toBe(false);
    expect(judgeFile({ name: "clip.mp4", mimeType: "video/mp4", sizeBytes: 200 * MB }, params)).toEqual({ ok: true, type: "video" });
  });

  it("rejects everything when file upload is off", () => {
    const params = appWithUpload(upload({ enabled: false }));
    expect(judgeFile({ name: "photo.png", mimeType: "image/png", sizeBytes: 1 }, params)).toEqual({
      ok: false,
      reason: "file upload is turned off in this assistant",
    });
    expect(judgeFile({ name: "photo.png", mimeType: "image/png", sizeBytes: 1 }, appWithUpload(null)).ok).toBe(false);
  });

  it("rejects everything when the app takes files by URL only", () => {
    const params = appWithUpload(upload({ allowed_file_upload_methods: ["remote_url"] }));
    expect(judgeFile({ name: "photo.png", mimeType: "image/png", sizeBytes: 1 }, params)).toEqual({
      ok: false,
      reason: "this assistant only accepts files by URL",
    });
  });

  it("accepts other files as custom when the app allows custom files with their extension, in any case", () => {
    const params = appWithUpload(upload({ allowed_file_types: ["document", "custom"], allowed_file_extensions: [".ZIP", "log"] }));
    expect(judgeFile({ name: "tool.zip", mimeType: "application/zip", sizeBytes: MB }, params)).toEqual({ ok: true, type: "custom" });
    expect(judgeFile({ name: "SERVER.LOG", mimeType: "application/octet-stream", sizeBytes: MB }, params)).toEqual({ ok: true, type: "custom" });
    // An image is not a document and .png is not a listed extension.
    expect(judgeFile({ name: "photo.png", mimeType: "image/png", sizeBytes: MB }, params).ok).toBe(false);
    // Allowed types are still judged as themselves.
    expect(judgeFile({ name: "notes.md", mimeType: "text/markdown", sizeBytes: MB }, params)).toEqual({ ok: true, type: "document" });
    // Custom files count against the general file limit.
    expect(judgeFile({ name: "tool.zip", mimeType: "application/zip", sizeBytes: 16 * MB }, params)).toEqual({
      ok: false,
      reason: "it is larger than the assistant's 15 MB limit for files",
    });
  });

  it("rejects a custom file whose extension is not listed", () => {
    const params = appWithUpload(upload({ allowed_file_types: ["custom"], allowed_file_extensions: [".zip"] }));
    expect(judgeFile({ name: "data.bin", mimeType: "application/octet-stream", sizeBytes: MB }, params).ok).toBe(false);
    expect(judgeFile({ name: "noextension", mimeType: "application/octet-stream", sizeBytes: MB }, params).ok).toBe(false);
  });

  it("reads the legacy image-only upload settings", () => {
    const params = parseAppParameters(legacyAppParameters());
    expect(judgeFile({ name: "photo.webp", mimeType: "image/webp", sizeBytes: MB }, params)).toEqual({ ok: true, type: "image" });
    expect(judgeFile({ name: "handbook.pdf", mimeType: "application/pdf", sizeBytes: MB }, params).ok).toBe(false);
  });
});
