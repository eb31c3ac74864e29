import { createSseDecoder, type SseDecoderOptions, type SseMessage } from "../../../src/dify/sse.js";
import { seededRandom, splitInsideCharacters } from "../../fakes/dify/wire-format.js";

/** Feeds bytes to a fresh decoder in the given pieces and returns every message it produced. */
export function decodePieces(pieces: Iterable<Uint8Array>, options: SseDecoderOptions = {}): SseMessage[] {
  const out: SseMessage[] = [];
  const decoder = createSseDecoder((m) => out.push(m), options);
  for (const piece of pieces) decoder.push(piece);
  decoder.end();
  return out;
}

export function* wholePiece(bytes: Uint8Array): Generator<Uint8Array> {
  yield bytes;
}

export function* bytePieces(bytes: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i++) yield bytes.subarray(i, i + 1);
}

/** Pieces of 1..maxBytes bytes at split points drawn from a seeded PRNG (replayable from the seed). */
export function* randomPieces(bytes: Uint8Array, seed: number, maxBytes = 64): Generator<Uint8Array> {
  const random = seededRandom(seed);
  for (let i = 0; i < bytes.byteLength; ) {
    const size = 1 + Math.floor(random() * maxBytes);
    yield bytes.subarray(i, i + size);
    i += size;
  }
}

export function* utf8SplitPieces(bytes: Uint8Array): Generator<Uint8Array> {
  yield* splitInsideCharacters(bytes);
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
