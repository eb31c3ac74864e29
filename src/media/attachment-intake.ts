import type { ChatPlatform } from "../contracts/chat-platform.js";
import { PlatformValidationError } from "../contracts/errors.js";
import type { Logger } from "../contracts/logger.js";
import type { InboundAttachment } from "../contracts/messages.js";
import type { AppParameters } from "../dify/app-parameters.js";
import { difyAudioType } from "../dify/audio-types.js";
import type { ChatFileRef } from "../dify/chat-stream.js";
import type { DifyClient } from "../dify/dify-client.js";
import { DifyApiError } from "../dify/errors.js";
import { judgeFile, sizeLimitBytes } from "./dify-file-type.js";
import { uploadFailureReason } from "./upload-errors.js";
import { oggOpusToWav } from "./voice-transcoder.js";

export interface PreparedAttachments {
  readonly files: readonly ChatFileRef[];
  /** One ⚠️ line per file that could not be used, naming it and why. */
  readonly notes: readonly string[];
  /** What the voice note(s) said, used as (part of) the question. */
  readonly transcript: string | undefined;
}

/** Dify's hard limit for audio-to-text. */
const STT_MAX_BYTES = 30 * 1024 * 1024;
const OGG_TYPES = new Set(["audio/ogg", "audio/opus", "application/ogg", "audio/x-opus+ogg"]);

function note(name: string, reason: string): string {
  return `⚠️ Not sent to the assistant: ${name.replace(/[`*_]/g, "")} (${reason}).`;
}

function downloadReason(err: unknown): string {
  if (err instanceof PlatformValidationError) {
    switch (err.reason) {
      case "too_large":
        return "too large";
      case "not_a_file":
        return "the bot is not allowed to download it: check its file permissions";
      case "blocked_host":
        return "it is not hosted by the chat platform";
      default:
        return "it could not be downloaded";
    }
  }
  return "it could not be downloaded";
}

/**
 * Turns a message's attachments into what Dify takes: files uploaded with the conversation's `user`, and voice
 * notes transcribed (Ogg/Opus converted to WAV first). Nothing is dropped silently: every file that is not
 * sent gets a note.
 */
export async function prepareAttachments(
  attachments: readonly InboundAttachment[],
  deps: {
    platform: ChatPlatform;
    dify: DifyClient;
    params: AppParameters;
    user: string;
    signal: AbortSignal;
    logger: Logger;
    /** The kinds this deployment sends this app (routes file `file_types`); unset = what the app accepts. */
    fileTypes?: readonly string[] | undefined;
  },
): Promise<PreparedAttachments> {
  const notes: string[] = [];
  const transcripts: string[] = [];
  const files: ChatFileRef[] = [];
  let accepted = 0;

  const tasks = attachments.map(async (att) => {
    if (att.isVoiceNote) {
      const text = await transcribe(att, deps).catch((err: unknown) => {
        deps.logger.warn({ err, file: att.name }, "voice note not transcribed");
        notes.push(note(att.name, err instanceof UserFacingNote ? err.message : transcriptionFailure(err)));
        return undefined;
      });
      if (text !== undefined) transcripts.push(text);
      return;
    }
    const verdict = judgeFile(att, deps.params);
    if (!verdict.ok) return void notes.push(note(att.name, verdict.reason));
    if (deps.fileTypes && !deps.fileTypes.includes(verdict.type))
      return void notes.push(note(att.name, `this assistant is not sent ${verdict.type} files here`));
    if (++accepted > deps.params.fileUpload.numberLimit) {
      return void notes.push(note(att.name, `this assistant takes at most ${deps.params.fileUpload.numberLimit} files per message`));
    }
    const limit = sizeLimitBytes(verdict.type, deps.params);
    try {
      const data = await deps.platform.downloadAttachment(att, { signal: deps.signal, maxBytes: limit });
      const uploaded = await deps.dify.uploadFile({ data, name: att.name, mimeType: att.mimeType }, deps.user, { signal: deps.signal });
      files.push({ type: verdict.type, uploadFileId: uploaded.id });
    } catch (err) {
      deps.logger.warn({ err, file: att.name }, "attachment not forwarded to Dify");
      notes.push(note(att.name, uploadFailureReason(err, verdict.type, limit, att.name)));
    }
  });
  await Promise.all(tasks);
  return { files, notes, transcript: transcripts.length ? transcripts.join("\n") : undefined };
}

function transcriptionFailure(err: unknown): string {
  const code = err instanceof DifyApiError ? err.difyCode : undefined;
  if (code === "speech_to_text_disabled") return "speech-to-text is turned off in this assistant";
  if (code === "audio_too_large") return "it is longer than the assistant's 30 MB limit for voice";
  if (code === "unsupported_audio_type") return "the assistant cannot read this audio format";
  return "it could not be transcribed";
}

/** An error whose message was written for the person asking. */
class UserFacingNote extends Error {}

async function transcribe(
  att: InboundAttachment,
  deps: { platform: ChatPlatform; dify: DifyClient; params: AppParameters; user: string; signal: AbortSignal },
): Promise<string | undefined> {
  if (!deps.params.speechToText) throw new UserFacingNote("speech-to-text is turned off in this assistant");
  const mime = att.mimeType.split(";")[0]?.trim().toLowerCase() ?? "";
  const isOgg = OGG_TYPES.has(mime) || /\.(ogg|oga|opus)$/i.test(att.name);
  if (!isOgg && !difyAudioType(mime)) throw new UserFacingNote(`${mime || "this"} audio cannot be transcribed`);
  let data: Uint8Array;
  try {
    data = await deps.platform.downloadAttachment(att, { signal: deps.signal, maxBytes: STT_MAX_BYTES });
  } catch (err) {
    throw new UserFacingNote(downloadReason(err), { cause: err });
  }
  const audio = isOgg ? { ...(await oggOpusToWav(data)), name: att.name } : { data, mimeType: mime, name: att.name };
  const text = (await deps.dify.audioToText({ data: audio.data, mimeType: audio.mimeType, name: audio.name }, deps.user, { signal: deps.signal })).trim();
  if (text === "") throw new UserFacingNote("no speech was recognized");
  return text;
}
