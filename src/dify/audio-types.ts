/**
 * Dify's audio-to-text checks the multipart part's content type against exactly
 * audio/mp3, audio/m4a, audio/wav, audio/amr and audio/mpga (and rejects the common audio/mpeg, audio/x-wav,
 * audio/mp4, audio/webm, audio/ogg with 415). Speech-to-text providers also sniff the file extension, so the
 * name is rewritten to match.
 */
export interface DifyAudioType {
  readonly mimeType: "audio/mp3" | "audio/m4a" | "audio/wav" | "audio/amr" | "audio/mpga";
  readonly extension: "mp3" | "m4a" | "wav" | "amr" | "mpga";
}

const BY_MIME: Readonly<Record<string, DifyAudioType>> = {
  "audio/mp3": { mimeType: "audio/mp3", extension: "mp3" },
  "audio/mpeg": { mimeType: "audio/mp3", extension: "mp3" },
  "audio/mpeg3": { mimeType: "audio/mp3", extension: "mp3" },
  "audio/x-mpeg-3": { mimeType: "audio/mp3", extension: "mp3" },
  "audio/mpga": { mimeType: "audio/mpga", extension: "mpga" },
  "audio/m4a": { mimeType: "audio/m4a", extension: "m4a" },
  "audio/x-m4a": { mimeType: "audio/m4a", extension: "m4a" },
  "audio/mp4": { mimeType: "audio/m4a", extension: "m4a" },
  // Slack labels some audio clips video/mp4: the container is MP4 with an AAC track.
  "video/mp4": { mimeType: "audio/m4a", extension: "m4a" },
  "audio/wav": { mimeType: "audio/wav", extension: "wav" },
  "audio/x-wav": { mimeType: "audio/wav", extension: "wav" },
  "audio/wave": { mimeType: "audio/wav", extension: "wav" },
  "audio/vnd.wave": { mimeType: "audio/wav", extension: "wav" },
  "audio/amr": { mimeType: "audio/amr", extension: "amr" },
};

/** The type Dify accepts for this media type, or null when the audio must be converted first (Ogg, WebM). */
export function difyAudioType(mimeType: string): DifyAudioType | null {
  return BY_MIME[mimeType.split(";")[0]?.trim().toLowerCase() ?? ""] ?? null;
}

/** `voice-message.ogg` + wav → `voice-message.wav`. */
export function withExtension(name: string, extension: string): string {
  const base = name.replace(/\.[A-Za-z0-9]{1,5}$/, "") || "audio";
  return `${base}.${extension}`;
}
