import { describe, expect, it } from "vitest";
import { difyAudioType, withExtension } from "../../../src/dify/audio-types.js";

describe("difyAudioType", () => {
  const accepted: ReadonlyArray<[string, string, string]> = [
    ["audio/mp3", "audio/mp3", "mp3"],
    ["audio/mpeg", "audio/mp3", "mp3"],
    ["audio/MPEG; codecs=mp3", "audio/mp3", "mp3"],
    ["audio/x-mpeg-3", "audio/mp3", "mp3"],
    ["audio/mpga", "audio/mpga", "mpga"],
    ["audio/m4a", "audio/m4a", "m4a"],
    ["audio/x-m4a", "audio/m4a", "m4a"],
    ["audio/mp4", "audio/m4a", "m4a"],
    ["video/mp4", "audio/m4a", "m4a"],
    ["audio/wav", "audio/wav", "wav"],
    ["audio/x-wav", "audio/wav", "wav"],
    ["audio/wave", "audio/wav", "wav"],
    ["audio/vnd.wave", "audio/wav", "wav"],
    ["audio/amr", "audio/amr", "amr"],
    [" Audio/AMR ", "audio/amr", "amr"],
  ];
  it.each(accepted)("%s → %s", (input, mimeType, extension) => {
    expect(difyAudioType(input)).toEqual({ mimeType, extension });
  });

  it.each(["audio/ogg", "audio/ogg; codecs=opus", "audio/webm", "video/webm", "audio/flac", "application/octet-stream", ""])(
    "%s needs converting first",
    (input) => {
      expect(difyAudioType(input)).toBeNull();
    },
  );

  it("only ever produces the five types Dify's speech-to-text accepts", () => {
    const allowed = new Set(["audio/mp3", "audio/m4a", "audio/wav", "audio/amr", "audio/mpga"]);
    for (const [input] of accepted) expect(allowed.has(difyAudioType(input)?.mimeType ?? "")).toBe(true);
  });
});

describe("withExtension", () => {
  it("swaps or adds the extension", () => {
    expect(withExtension("voice-message.ogg", "wav")).toBe("voice-message.wav");
    expect(withExtension("clip.MP4", "m4a")).toBe("clip.m4a");
    expect(withExtension("recording", "mp3")).toBe("recording.mp3");
    expect(withExtension("my.notes.v2.webm", "wav")).toBe("my.notes.v2.wav");
    expect(withExtension(".ogg", "wav")).toBe("audio.wav");
  });
});
