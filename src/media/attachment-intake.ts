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
/**
 * Voice notes transcribed per message, at most (and fewer when the app takes fewer files): each is a download and
 * a speech-to-text call, so twenty clips in one message must not become twenty of each.
 */
const MAX_VOICE_NOTES = 3;
/** Downloads, uploads and transcriptions of one message running at once. */
const PARALLEL_ATTACHMENTS = 2;
/** Skipped voice notes named in the note; the rest are counted. */
const NAMED_SKIPPED = 5;
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
  const transcripts: (string | undefined)[] = [];
  const files: ChatFileRef[] = [];
  const skippedVoice: string[] = [];
  const fileUpload = deps.params.fileUpload;
  // Voice notes count against the app's file limit too (when it has file upload on), and against their own cap.
  const voiceCap = Math.min(MAX_VOICE_NOTES, fileUpload.enabled ? fileUpload.numberLimit : MAX_VOICE_NOTES);
  let accepted = 0;
  let voiceNotes = 0;
  const slot = limiter(PARALLEL_ATTACHMENTS);

  const tasks = attachments.map(async (att) => {
    if (att.isVoiceNote) {
      // Decided in message order, before anything runs, so which clips are transcribed does not depend on timing.
      if (++voiceNotes > voiceCap || (fileUpload.enabled && ++accepted > fileUpload.numberLimit)) return void skippedVoice.push(att.name);
      const at = transcripts.push(undefined) - 1;
      transcripts[at] = await slot(() => transcribe(att, deps)).catch((err: unknown) => {
        deps.logger.warn({ err, file: att.name }, "voice note not transcribed");
        notes.push(note(att.name, err instanceof UserFacingNote ? err.message : transcriptionFailure(err)));
        return undefined;
      });
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
      const uploaded = await slot(async () => {
        let data: Uint8Array;
        try {
          data = await deps.platform.downloadAttachment(att, { signal: deps.signal, maxBytes: limit });
        } catch (err) {
          // A failed download (a stalled host, a deadline) is said as such, not as a failed upload.
          throw new DownloadFailure(err);
        }
        return deps.dify.uploadFile({ data, name: att.name, mimeType: att.mimeType }, deps.user, { signal: deps.signal });
      });
      files.push({ type: verdict.type, uploadFileId: uploaded.id });
    } catch (err) {
      deps.logger.warn({ err, file: att.name }, "attachment not forwarded to Dify");
      const reason =
        err instanceof DownloadFailure && !(err.cause instanceof PlatformValidationError)
          ? "it could not be downloaded"
          : uploadFailureReason(err instanceof DownloadFailure ? err.cause : err, verdict.type, limit, att.name);
      notes.push(note(att.name, reason));
    }
  });
  await Promise.all(tasks);
  if (skippedVoice.length) notes.push(skippedVoiceNote(skippedVoice, voiceCap));
  const said = transcripts.filter((t): t is string => t !== undefined);
  return { files, notes, transcript: said.length ? said.join("\n") : undefined };
}

/** One line for every voice note left out: the first few by name, the rest counted. */
function skippedVoiceNote(names: readonly string[], cap: number): string {
  const shown = names.slice(0, NAMED_SKIPPED).map((n) => n.replace(/[`*_]/g, ""));
  const more = names.length > NAMED_SKIPPED ? ` and ${names.length - NAMED_SKIPPED} more` : "";
  return `⚠️ Not transcribed: ${shown.join(", ")}${more} (at most ${cap} voice note${cap === 1 ? "" : "s"} per message).`;
}

/** Runs at most `n` of the given tasks at once, the others waiting in order. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    // A finished task hands its place straight to the next waiting one, so no newcomer can slip in between.
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
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

/** The platform could not give the file (its cause says why); nothing reached the assistant. */
class DownloadFailure extends Error {
  constructor(override readonly cause: unknown) {
    super("attachment download failed", { cause });
  }
}

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
    // The app's own audio size limit applies to voice notes as to audio files (never above Dify's 30 MB for speech).
    data = await deps.platform.downloadAttachment(att, { signal: deps.signal, maxBytes: Math.min(STT_MAX_BYTES, sizeLimitBytes("audio", deps.params)) });
  } catch (err) {
    throw new UserFacingNote(downloadReason(err), { cause: err });
  }
  const audio = isOgg ? { ...(await oggOpusToWav(data)), name: att.name } : { data, mimeType: mime, name: att.name };
  const text = (await deps.dify.audioToText({ data: audio.data, mimeType: audio.mimeType, name: audio.name }, deps.user, { signal: deps.signal })).trim();
  if (text === "") throw new UserFacingNote("no speech was recognized");
  return text;
}
