import { BridgeError } from "../contracts/errors.js";
import { encodeWavPcm16 } from "./wav.js";

/**
 * 16 kHz is what speech models are trained on; it keeps a minute of speech under 2 MB.
 * @internal Exported for its unit test.
 */
export const SPEECH_SAMPLE_RATE = 16_000;

/** @internal The core branches on its code; the tests pin the class. */
export class VoiceConversionError extends BridgeError {
  readonly code = "VOICE_CONVERSION_FAILED" as const;
}

export interface ConvertedAudio {
  readonly data: Uint8Array;
  readonly mimeType: string;
  readonly durationMs: number;
}

/**
 * Ogg/Opus (Discord voice messages) → 16 kHz mono PCM16 WAV, which Dify's speech-to-text accepts and Ogg it
 * does not. ogg-opus-decoder is libopus compiled to WASM: no native build, nothing downloaded at install.
 */
export async function oggOpusToWav(bytes: Uint8Array): Promise<ConvertedAudio> {
  const { OggOpusDecoder } = await import("ogg-opus-decoder");
  // `sampleRate` works at runtime (libopus resamples) but is missing from the package's types.
  const decoder = new OggOpusDecoder({ sampleRate: SPEECH_SAMPLE_RATE } as ConstructorParameters<typeof OggOpusDecoder>[0]);
  try {
    await decoder.ready;
    const decoded = await decoder.decodeFile(bytes);
    if (decoded.samplesDecoded === 0 || decoded.channelData.length === 0) {
      throw new VoiceConversionError("no audio could be decoded from the voice message");
    }
    const mono = downmix(decoded.channelData, decoded.samplesDecoded);
    const rate = decoded.sampleRate || SPEECH_SAMPLE_RATE;
    return { data: encodeWavPcm16(mono, rate), mimeType: "audio/wav", durationMs: Math.round((mono.length / rate) * 1000) };
  } catch (err) {
    if (err instanceof VoiceConversionError) throw err;
    throw new VoiceConversionError("the voice message is not valid Ogg/Opus audio", { cause: err });
  } finally {
    decoder.free();
  }
}

function downmix(channels: readonly Float32Array[], length: number): Float32Array {
  if (channels.length === 1) return (channels[0] as Float32Array).subarray(0, length);
  const out = new Float32Array(length);
  for (const ch of channels) for (let i = 0; i < length; i++) out[i] = (out[i] as number) + (ch[i] as number) / channels.length;
  return out;
}
