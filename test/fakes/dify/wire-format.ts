import type { Framing, WireOptions } from "./options.js";
import { pythonJson } from "./python-json.js";

const utf8 = new TextEncoder();

/** One Dify event as SSE bytes: `data: <json>` and a blank line, in the chosen JSON style and line ending. */
export function encodeEvent(payload: object, wire: WireOptions): Uint8Array {
  const json = wire.jsonStyle === "python" ? pythonJson(payload) : JSON.stringify(payload);
  const eol = wire.lineEnding === "crlf" ? "\r\n" : "\n";
  return utf8.encode(`${wire.dataPrefix}${json}${eol}${eol}`);
}

/** Dify's keep-alive: an `event:` line and no data line. */
export function encodePing(wire: WireOptions): Uint8Array {
  const eol = wire.lineEnding === "crlf" ? "\r\n" : "\n";
  return utf8.encode(`event: ping${eol}${eol}`);
}

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? utf8.encode(data) : data;
}

/** mulberry32: a tiny seeded PRNG, so a failing random split can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Cuts one buffer into the writes a framing asks for. `random` is the stream's PRNG for random framing.
 * Batching is done by the writer, so here it is one piece.
 */
export function fragment(bytes: Uint8Array, framing: Framing, random: () => number): Uint8Array[] {
  if (bytes.byteLength <= 1 || framing === "event" || (typeof framing === "object" && "batch" in framing)) return [bytes];
  if (framing === "byte") {
    const out: Uint8Array[] = [];
    for (let i = 0; i < bytes.byteLength; i++) out.push(bytes.subarray(i, i + 1));
    return out;
  }
  if (framing === "utf8-split") return splitInsideCharacters(bytes);
  const max = Math.max(1, framing.maxChunkBytes ?? 64);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; ) {
    const size = 1 + Math.floor(random() * max);
    out.push(bytes.subarray(i, i + size));
    i += size;
  }
  return out;
}

/** Splits right after the lead byte of every multi-byte UTF-8 sequence, so no piece decodes on its own. */
export function splitInsideCharacters(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.byteLength; i++) {
    const b = bytes[i] as number;
    // 0b11xxxxxx starts a multi-byte sequence; cut after it, leaving the continuation bytes for the next piece.
    if (b >= 0xc0) {
      out.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < bytes.byteLength) out.push(bytes.subarray(start));
  return out;
}
