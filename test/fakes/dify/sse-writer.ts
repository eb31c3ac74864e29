import type { ServerResponse } from "node:http";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { WireOptions } from "./options.js";
import { encodePing, fragment, seededRandom } from "./wire-format.js";

export interface SseWriterHooks {
  /** Called just before the first byte of the first answer-bearing event goes to the socket. */
  onFirstAnswerByte(): void;
  onWrite(bytes: number): void;
}

/**
 * Writes one event stream. All writes go through one promise chain, so a keep-alive ping fired by a timer
 * can never land inside an event that is being written in fragments. Headers go out with the first byte,
 * as with Dify behind gunicorn: until then the request can still turn into an HTTP error.
 */
export class SseWriter {
  private wire: WireOptions;
  private random: () => number;
  private chain: Promise<void> = Promise.resolve();
  private batch: Uint8Array[] = [];
  private batchHasAnswer = false;
  private sawAnswer = false;
  private started = false;

  constructor(
    private readonly res: ServerResponse,
    wire: WireOptions,
    private readonly hooks: SseWriterHooks,
  ) {
    this.wire = wire;
    this.random = seededRandom(randomSeedOf(wire));
  }

  /** True once the status line and headers have been committed (an HTTP error is no longer possible). */
  get hasStarted(): boolean {
    return this.started;
  }

  get isClosed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  setWire(partial: Partial<WireOptions>): Promise<void> {
    return this.enqueue(async () => {
      await this.writeBatch();
      this.wire = { ...this.wire, ...partial };
      if (partial.framing) this.random = seededRandom(randomSeedOf(this.wire));
    });
  }

  get currentWire(): WireOptions {
    return this.wire;
  }

  /** Queues already-encoded event bytes; `isAnswer` marks text that counts for time-to-first-answer-byte. */
  write(bytes: Uint8Array, isAnswer = false): Promise<void> {
    return this.enqueue(async () => {
      const framing = this.wire.framing;
      if (typeof framing === "object" && "batch" in framing) {
        this.batch.push(bytes);
        this.batchHasAnswer ||= isAnswer;
        if (this.batch.length >= Math.max(1, framing.batch)) await this.writeBatch();
        return;
      }
      await this.writePieces(fragment(bytes, framing, this.random), isAnswer);
    });
  }

  ping(): Promise<void> {
    return this.write(encodePing(this.wire));
  }

  /** Sends a partly filled batch (before a pause, so batching never holds events back). */
  flush(): Promise<void> {
    return this.enqueue(() => this.writeBatch());
  }

  /** Ends the body cleanly after everything queued. */
  end(): Promise<void> {
    return this.enqueue(async () => {
      await this.writeBatch();
      this.startIfNeeded();
      if (!this.isClosed) await new Promise<void>((resolve) => this.res.end(resolve));
    });
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    // A failed write must not wedge the chain for later writes (they become no-ops on a closed socket).
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async writeBatch(): Promise<void> {
    if (this.batch.length === 0) return;
    const joined = Buffer.concat(this.batch);
    const isAnswer = this.batchHasAnswer;
    this.batch = [];
    this.batchHasAnswer = false;
    await this.writePieces([joined], isAnswer);
  }

  private startIfNeeded(): void {
    if (this.started || this.isClosed) return;
    this.started = true;
    // Dify sets no Cache-Control and no Content-Length: a chunked text/event-stream.
    this.res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
  }

  private async writePieces(pieces: readonly Uint8Array[], isAnswer: boolean): Promise<void> {
    this.startIfNeeded();
    for (let i = 0; i < pieces.length; i++) {
      if (this.isClosed) return;
      const piece = pieces[i] as Uint8Array;
      if (isAnswer && !this.sawAnswer) {
        this.sawAnswer = true;
        this.hooks.onFirstAnswerByte();
      }
      this.hooks.onWrite(piece.byteLength);
      if (!this.res.write(piece)) await this.drained();
      // A separate event-loop turn per piece, so loopback delivers the pieces as separate reads.
      if (i < pieces.length - 1) await nextTurn();
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off("drain", done);
        this.res.off("close", done);
        resolve();
      };
      this.res.on("drain", done);
      this.res.on("close", done);
    });
  }
}

function randomSeedOf(wire: WireOptions): number {
  return typeof wire.framing === "object" && "randomSeed" in wire.framing ? wire.framing.randomSeed : 1;
}
