import { describe, expect, it } from "vitest";
import { encodeEvent, encodePing, fragment, pythonJson, seededRandom, splitInsideCharacters, transcriptSteps } from "../../fakes/dify/index.js";
import { boundaryOf, parseMultipart } from "../../fakes/dify/multipart.js";
import { DEFAULT_WIRE } from "../../fakes/dify/options.js";
import { readTranscript } from "../../fixtures/dify/transcripts.js";

/** The fake's own building blocks: what the framing switches promise, byte for byte. */

const bytes = (text: string) => new TextEncoder().encode(text);
const join = (pieces: Uint8Array[]) => Buffer.concat(pieces);

describe("fragment", () => {
  const event = encodeEvent({ event: "message", answer: "héllo 你好 👋" }, DEFAULT_WIRE);

  it("keeps an event whole by default and for batching (the writer batches)", () => {
    expect(fragment(event, "event", Math.random)).toEqual([event]);
    expect(fragment(event, { batch: 3 }, Math.random)).toEqual([event]);
  });

  it("cuts every byte apart", () => {
    const pieces = fragment(event, "byte", Math.random);
    expect(pieces).toHaveLength(event.byteLength);
    expect(join(pieces)).toEqual(Buffer.from(event));
  });

  it("cuts at random points, the same ones for the same seed", () => {
    const a = fragment(event, { randomSeed: 5, maxChunkBytes: 8 }, seededRandom(5));
    const b = fragment(event, { randomSeed: 5, maxChunkBytes: 8 }, seededRandom(5));
    expect(a.map((p) => p.byteLength)).toEqual(b.map((p) => p.byteLength));
    expect(a.every((p) => p.byteLength >= 1 && p.byteLength <= 8)).toBe(true);
    expect(join(a)).toEqual(Buffer.from(event));
  });

  it("cuts inside every multi-byte character, so no piece decodes cleanly on its own", () => {
    const pieces = splitInsideCharacters(bytes("aé你👋z"));
    expect(pieces.map((p) => [...p].map((b) => b.toString(16)).join(" "))).toEqual(["61 c3", "a9 e4", "bd a0 f0", "9f 91 8b 7a"]);
    const fatal = new TextDecoder("utf-8", { fatal: true });
    const decodesAlone = (piece: Uint8Array) => {
      try {
        fatal.decode(piece);
        return true;
      } catch {
        return false;
      }
    };
    expect(pieces.map(decodesAlone)).toEqual([false, false, false, false]);
    expect(join(pieces).toString("utf8")).toBe("aé你👋z");
  });
});

describe("event encoding", () => {
  it("writes compact or Python-style JSON with the chosen prefix and line ending", () => {
    expect(Buffer.from(encodeEvent({ event: "message", answer: "é" }, DEFAULT_WIRE)).toString()).toBe('data: {"event":"message","answer":"é"}\n\n');
    const old = { ...DEFAULT_WIRE, jsonStyle: "python", lineEnding: "crlf", dataPrefix: "data:" } as const;
    expect(Buffer.from(encodeEvent({ event: "message", answer: "é", n: [1, null] }, old)).toString()).toBe(
      'data:{"event": "message", "answer": "\\u00e9", "n": [1, null]}\r\n\r\n',
    );
    expect(Buffer.from(encodePing(old)).toString()).toBe("event: ping\r\n\r\n");
  });

  it("matches Python's json.dumps escaping", () => {
    expect(pythonJson({ a: '\u007f\n"𝄞', b: true, c: 1.5, d: {}, e: [] })).toBe('{"a": "\\u007f\\n\\"\\ud834\\udd1e", "b": true, "c": 1.5, "d": {}, "e": []}');
  });
});

describe("parseMultipart", () => {
  it("keeps part types as sent (none stays none) and decodes UTF-8 names", async () => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array([0, 13, 10, 255])], { type: "audio/mp3" }), "Grüße.mp3");
    form.append("user", "ü1");
    const request = new Request("http://x/", { method: "POST", body: form });
    const contentType = request.headers.get("content-type") as string;
    const parts = parseMultipart(Buffer.from(await request.arrayBuffer()), boundaryOf(contentType) as string);
    expect(parts).toEqual([
      { name: "file", filename: "Grüße.mp3", contentType: "audio/mp3", bytes: new Uint8Array([0, 13, 10, 255]) },
      { name: "user", filename: undefined, contentType: undefined, bytes: bytes("ü1") },
    ]);
  });
});

describe("transcriptSteps", () => {
  it("replays a recording with the turn's ids left for the fake to fill", () => {
    const replay = transcriptSteps(readTranscript("chat-malformed-event"));
    expect(replay.map((s) => s.kind)).toEqual(["event", "event", "event", "raw", "event", "event", "event", "event"]);
    const first = replay[0];
    expect(first?.kind === "event" && first.payload).toEqual({ event: "message", answer: "The", from_variable_selector: null });
  });

  it("keeps thought and file ids, which are not the message id", () => {
    const replay = transcriptSteps(readTranscript("agent-chat-tool-file"));
    const thought = replay[0];
    const file = replay[3];
    expect(thought?.kind === "event" && thought.payload.id).toBe("c0ffee00-1111-4222-8333-444455556666");
    expect(file?.kind === "event" && file.payload).toMatchObject({ event: "message_file", id: "f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9" });
    expect(replay.filter((s) => s.kind === "ping")).toHaveLength(1);
  });
});
