import { describe, expect, it } from "vitest";
import { encodeWavPcm16 } from "../../../src/media/wav.js";

const ascii = (bytes: Uint8Array, from: number, length: number) => String.fromCharCode(...bytes.subarray(from, from + length));

describe("encodeWavPcm16", () => {
  it("writes a 44-byte RIFF/WAVE header for 16-bit mono PCM", () => {
    const wav = encodeWavPcm16(new Float32Array(100), 16_000);
    const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
    expect(wav.length).toBe(44 + 200);
    expect(ascii(wav, 0, 4)).toBe("RIFF");
    expect(view.getUint32(4, true)).toBe(wav.length - 8);
    expect(ascii(wav, 8, 4)).toBe("WAVE");
    expect(ascii(wav, 12, 4)).toBe("fmt ");
    expect(view.getUint32(16, true)).toBe(16);
    expect(view.getUint16(20, true)).toBe(1); // PCM
    expect(view.getUint16(22, true)).toBe(1); // mono
    expect(view.getUint32(24, true)).toBe(16_000);
    expect(view.getUint32(28, true)).toBe(32_000); // bytes per second
    expect(view.getUint16(32, true)).toBe(2); // bytes per frame
    expect(view.getUint16(34, true)).toBe(16); // bits per sample
    expect(ascii(wav, 36, 4)).toBe("data");
    expect(view.getUint32(40, true)).toBe(200);
  });

  it("records the sample rate it is given", () => {
    const wav = encodeWavPcm16(new Float32Array(1), 48_000);
    const view = new DataView(wav.buffer);
    expect(view.getUint32(24, true)).toBe(48_000);
    expect(view.getUint32(28, true)).toBe(96_000);
  });

  it("encodes an empty clip as a header with no data", () => {
    const wav = encodeWavPcm16(new Float32Array(0), 16_000);
    expect(wav.length).toBe(44);
    expect(new DataView(wav.buffer).getUint32(40, true)).toBe(0);
    expect(new DataView(wav.buffer).getUint32(4, true)).toBe(36);
  });

  it("encodes samples as little-endian signed 16-bit, full scale at ±1, clamping beyond", () => {
    const input = [0, 1, -1, 0.5, -0.5, 2, -3, 0.25, -0.25];
    const wav = encodeWavPcm16(Float32Array.from(input), 8_000);
    const view = new DataView(wav.buffer);
    const samples = input.map((_, i) => view.getInt16(44 + i * 2, true));
    expect(samples).toEqual([0, 32767, -32768, 16383, -16384, 32767, -32768, 8191, -8192]);
    // Little-endian on the wire: 32767 is ff 7f.
    expect([...wav.subarray(46, 48)]).toEqual([0xff, 0x7f]);
  });

  it("keeps the shape of a waveform", () => {
    const sine = Float32Array.from({ length: 160 }, (_, i) => 0.8 * Math.sin((2 * Math.PI * i) / 16));
    const wav = encodeWavPcm16(sine, 16_000);
    const view = new DataView(wav.buffer);
    for (let i = 0; i < sine.length; i++) {
      expect(Math.abs(view.getInt16(44 + i * 2, true) / 32767 - (sine[i] as number))).toBeLessThan(1e-4);
    }
  });
});
