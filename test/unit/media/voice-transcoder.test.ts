import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { BridgeError } from "../../../src/contracts/errors.js";
import { oggOpusToWav, SPEECH_SAMPLE_RATE, VoiceConversionError } from "../../../src/media/voice-transcoder.js";

const fixture = async () => new Uint8Array(await readFile(new URL("../../fixtures/audio/voice.ogg", import.meta.url)));

async function conversionError(bytes: Uint8Array): Promise<unknown> {
  try {
    await oggOpusToWav(bytes);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("oggOpusToWav", () => {
  it("turns a Discord voice message into 16 kHz mono 16-bit WAV", async () => {
    const { data, mimeType, durationMs } = await oggOpusToWav(await fixture());
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    expect(mimeType).toBe("audio/wav");
    expect(String.fromCharCode(...data.subarray(0, 4))).toBe("RIFF");
    expect(String.fromCharCode(...data.subarray(8, 12))).toBe("WAVE");
    expect(view.getUint16(20, true)).toBe(1);
    expect(view.getUint16(22, true)).toBe(1);
    expect(view.getUint32(24, true)).toBe(SPEECH_SAMPLE_RATE);
    expect(view.getUint16(34, true)).toBe(16);

    const dataBytes = view.getUint32(40, true);
    expect(data.length).toBe(44 + dataBytes);
    const seconds = dataBytes / 2 / SPEECH_SAMPLE_RATE;
    expect(seconds).toBeGreaterThan(3.5);
    expect(seconds).toBeLessThan(3.62);
    expect(durationMs).toBe(Math.round(seconds * 1000));
  });

  it("keeps the speech: the decoded samples are not silence", async () => {
    const { data } = await oggOpusToWav(await fixture());
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let sumSquares = 0;
    let peak = 0;
    const count = (data.length - 44) / 2;
    for (let i = 0; i < count; i++) {
      const s = view.getInt16(44 + i * 2, true) / 32768;
      sumSquares += s * s;
      peak = Math.max(peak, Math.abs(s));
    }
    expect(Math.sqrt(sumSquares / count)).toBeGreaterThan(0.005);
    expect(peak).toBeGreaterThan(0.05);
  });

  it.each([
    ["empty input", new Uint8Array(0)],
    ["random bytes", Uint8Array.from({ length: 4_096 }, (_, i) => (i * 7919) % 251)],
    ["text that starts like Ogg", new TextEncoder().encode("OggS but not really an Ogg stream")],
    ["an HTML error page", new TextEncoder().encode("<!doctype html><title>403</title>")],
  ])("rejects %s with a VoiceConversionError", async (_name, bytes) => {
    const err = await conversionError(bytes);
    expect(err).toBeInstanceOf(VoiceConversionError);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as VoiceConversionError).code).toBe("VOICE_CONVERSION_FAILED");
  });

  it("rejects the first bytes of a voice message that hold no audio yet", async () => {
    const head = (await fixture()).subarray(0, 200);
    expect(await conversionError(head)).toBeInstanceOf(VoiceConversionError);
  });
});
