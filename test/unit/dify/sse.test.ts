import { describe, expect, it } from "vitest";
import { createSseDecoder } from "../../../src/dify/sse.js";
import { readTranscript, TRANSCRIPT_NAMES } from "../../fixtures/dify/transcripts.js";
import { heapGrowthWhile } from "./heap-measure.js";
import { bytePieces, decodePieces, randomPieces, utf8, utf8SplitPieces, wholePiece } from "./sse-feeding.js";

describe("createSseDecoder on recorded Dify transcripts", () => {
  it.each(TRANSCRIPT_NAMES)("%s: byte by byte, at random split points and inside characters gives the same messages", (name) => {
    const bytes = readTranscript(name);
    const whole = decodePieces(wholePiece(bytes));
    expect(whole.length).toBeGreaterThan(3);
    expect(decodePieces(bytePieces(bytes))).toEqual(whole);
    for (const seed of [1, 7, 42, 1234, 99991]) expect(decodePieces(randomPieces(bytes, seed))).toEqual(whole);
    expect(decodePieces(utf8SplitPieces(bytes))).toEqual(whole);
  });

  it("drops Dify's data-less `event: ping` and never yields U+FFFD", () => {
    const messages = decodePieces(bytePieces(readTranscript("chat-basic")));
    const pings = readTranscript("chat-basic").toString("utf8").split("event: ping").length - 1;
    expect(pings).toBe(1);
    expect(messages.every((m) => m.data.startsWith('{"event":'))).toBe(true);
    expect(decodePieces(bytePieces(readTranscript("chat-cjk-emoji"))).some((m) => m.data.includes("\uFFFD"))).toBe(false);
  });
});

describe("createSseDecoder framing rules", () => {
  it("keeps a multi-byte character split across chunks intact", () => {
    const bytes = utf8("data: 你好👋\n\n");
    for (let cut = 1; cut < bytes.byteLength; cut++) {
      expect(decodePieces([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([{ event: undefined, data: "你好👋" }]);
    }
  });

  it("accepts CRLF, lone CR, and `data:` without the space", () => {
    const expected = [
      { event: undefined, data: '{"a":1}' },
      { event: undefined, data: '{"b":2}' },
    ];
    expect(decodePieces(bytePieces(utf8('data: {"a":1}\r\n\r\ndata:{"b":2}\r\n\r\n')))).toEqual(expected);
    expect(decodePieces(bytePieces(utf8('data:{"a":1}\r\rdata: {"b":2}\r\r')))).toEqual(expected);
  });

  it("joins multi-line data with \\n and ignores comments, id and retry lines", () => {
    const input = ": keep-alive comment\nid: 17\nretry: 3000\ndata: first\ndata: second\n\n";
    expect(decodePieces(bytePieces(utf8(input)))).toEqual([{ event: undefined, data: "first\nsecond" }]);
  });

  it("reports a named event's type and skips events without data", () => {
    const input = "event: ping\n\nevent: custom\ndata: x\n\n";
    expect(decodePieces(wholePiece(utf8(input)))).toEqual([{ event: "custom", data: "x" }]);
  });

  it("flushes a last event that has no trailing blank line at end()", () => {
    expect(decodePieces(wholePiece(utf8('data: {"event":"message_end"}')))).toEqual([{ event: undefined, data: '{"event":"message_end"}' }]);
  });

  it("gives several events arriving in one chunk one by one", () => {
    const input = utf8("data: 1\n\ndata: 2\n\nevent: ping\n\ndata: 3\n\n");
    expect(decodePieces(wholePiece(input)).map((m) => m.data)).toEqual(["1", "2", "3"]);
  });
});

describe("createSseDecoder oversize protection", () => {
  it("skips one oversize line, reports it once, and parses what follows", () => {
    const reports: number[] = [];
    const pieces = [utf8("data: ok1\n\ndata: "), utf8("x".repeat(300)), utf8("y".repeat(300)), utf8("\n\ndata: ok2\n\n")];
    const messages = decodePieces(pieces, { maxEventChars: 100, onOversize: (limit) => reports.push(limit) });
    expect(messages.map((m) => m.data)).toEqual(["ok1", "ok2"]);
    expect(reports).toEqual([100]);
  });

  it("reports each of two consecutive oversize lines", () => {
    const reports: number[] = [];
    const big = "z".repeat(500);
    const pieces = [utf8(`data: ${big}`), utf8("\n\n"), utf8(`data: ${big}`), utf8("\n\ndata: after\n\n")];
    const messages = decodePieces(pieces, { maxEventChars: 100, onOversize: (limit) => reports.push(limit) });
    expect(messages.map((m) => m.data)).toEqual(["after"]);
    expect(reports).toHaveLength(2);
  });

  it("never parses the tail of a skipped line as new SSE fields", () => {
    // The second piece continues the oversize line; it only looks like a fresh `data:` line.
    const pieces = [utf8(`data: ${"a".repeat(200)}`), utf8('data: {"event":"message","answer":"INJECTED"}'), utf8("\n\ndata: real\n\n")];
    const messages = decodePieces(pieces, { maxEventChars: 100 });
    expect(messages.map((m) => m.data)).toEqual(["real"]);
  });

  it("skips a 50 MB single line fed in 64 KB chunks with bounded memory, then goes on", async () => {
    const chunk = utf8("x".repeat(64 * 1024));
    const chunkCount = Math.ceil((50 * 1024 * 1024) / chunk.byteLength);
    const messages: string[] = [];
    const reports: number[] = [];
    const growthBytes = await heapGrowthWhile(async (measureNow) => {
      const decoder = createSseDecoder((m) => messages.push(m.data), { onOversize: (l) => reports.push(l) });
      decoder.push(utf8('data: {"event":"message","answer":"before"}\n\ndata: {"event":"message","answer":"'));
      for (let i = 0; i < chunkCount; i++) {
        decoder.push(chunk);
        if (i === chunkCount - 2) measureNow();
      }
      decoder.push(utf8('"}\n\ndata: {"event":"message","answer":"after"}\n\n'));
      decoder.end();
    });
    expect(messages).toEqual(['{"event":"message","answer":"before"}', '{"event":"message","answer":"after"}']);
    expect(reports).toHaveLength(1);
    // Holding the line would take >= 50 MB; the default cap (8 Mi chars) plus a chunk keeps it far below.
    expect(growthBytes).toBeLessThan(24 * 1024 * 1024);
  });
});
