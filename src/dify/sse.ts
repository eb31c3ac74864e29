import { createParser, type EventSourceMessage, type ParseError } from "eventsource-parser";

/**
 * Bytes → SSE messages. One streaming UTF-8 decoder over the whole byte stream (so a character split across
 * chunks survives), then eventsource-parser, which handles CRLF/CR/LF, `data:` with or without a space,
 * multi-line data, comments, and drops data-less events such as Dify's `event: ping`.
 */

export interface SseMessage {
  readonly event: string | undefined;
  readonly data: string;
}

export interface SseDecoderOptions {
  /** Largest event we hold in memory. A longer one is skipped (reported through `onOversize`) and parsing resumes after it. */
  readonly maxEventChars?: number;
  readonly onOversize?: (limitChars: number) => void;
}

const DEFAULT_MAX_EVENT_CHARS = 8 * 1024 * 1024;
/** One options object for every chunk of every stream (the decoder only reads it). */
const STREAMING = { stream: true } as const;

export interface SseDecoder {
  push(bytes: Uint8Array): void;
  /** Flushes a final event that had no trailing blank line (and any bytes held by the UTF-8 decoder). */
  end(): void;
}

export function createSseDecoder(onMessage: (msg: SseMessage) => void, options: SseDecoderOptions = {}): SseDecoder {
  const maxEventChars = options.maxEventChars ?? DEFAULT_MAX_EVENT_CHARS;
  const decoder = new TextDecoder("utf-8");
  let overflowed = false;
  // True while the rest of an oversize line is still arriving: it is dropped here, never parsed.
  let isDiscardingLine = false;
  const parser = createParser({
    maxBufferSize: maxEventChars,
    onEvent: (e: EventSourceMessage) => onMessage({ event: e.event, data: e.data }),
    onError: (err: ParseError) => {
      if (err.type === "max-buffer-size-exceeded") overflowed = true;
      // "unknown-field" errors are proxy noise: ignored by the SSE spec.
    },
  });

  function feed(input: string): void {
    let text = input;
    if (isDiscardingLine) {
      // Fix: the tail of an oversize line used to be fed to the (reset) parser as if it started a new line,
      // so a tail beginning with "data:" became an event. Drop everything up to the line's end instead.
      const lineEnd = text.search(/[\r\n]/);
      if (lineEnd < 0) return;
      isDiscardingLine = false;
      text = text.slice(lineEnd + 1);
    }
    if (text === "") return;
    parser.feed(text);
    if (overflowed) {
      // The parser dropped its buffer and stopped. Resume after the long line; memory stays bounded by
      // maxEventChars. Reported once per oversize line (the old flag missed a second one in a row).
      overflowed = false;
      parser.reset();
      options.onOversize?.(maxEventChars);
      // Only mid-line when the overflowing text did not end exactly at a line break.
      isDiscardingLine = !/[\r\n]$/.test(text);
    }
  }

  return {
    push: (bytes) => feed(decoder.decode(bytes, STREAMING)),
    end: () => {
      // A last event without its blank line is still dispatched; if it was cut short, its JSON will not parse.
      feed(`${decoder.decode()}\n\n`);
    },
  };
}
