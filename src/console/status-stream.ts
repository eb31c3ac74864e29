import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../contracts/logger.js";
import type { StatusSource } from "./status-source.js";

/** How often the status is read while a page is open. */
const TICK_MS = 1_000;
/** A comment line keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;
/** Open status pages at once; more get 503 (each holds a connection). */
const MAX_CLIENTS = 32;

/**
 * The status page's server-sent events: one reader for every open page (the snapshot is read once a second
 * while at least one page is open, never when none is), sent to each page only when it changed.
 */
export class StatusStream {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private last = "";
  private lastSame = "";
  private lastKeepalive = 0;
  private reading = false;

  constructor(
    private readonly status: StatusSource,
    private readonly logger: Logger,
  ) {}

  attach(req: IncomingMessage, res: ServerResponse): void {
    if (this.clients.size >= MAX_CLIENTS) {
      res.writeHead(503, { "content-type": "application/json", "retry-after": "10" });
      res.end(JSON.stringify({ error: "too many open status pages" }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive", "x-accel-buffering": "no" });
    res.write("retry: 2000\n\n");
    this.clients.add(res);
    if (this.last) res.write(this.last);
    req.on("close", () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stop();
    });
    this.timer ??= setInterval(() => void this.tick(), TICK_MS);
    void this.tick();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.last = "";
    this.lastSame = "";
  }

  private async tick(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const snapshot = await this.status.snapshot();
      // `now` changes every time: it is left out of the comparison, so an idle bridge sends nothing.
      const same = JSON.stringify({ ...snapshot, now: 0 });
      const frame = `event: status\ndata: ${JSON.stringify(snapshot)}\n\n`;
      const now = Date.now();
      if (same !== this.lastSame) {
        this.lastSame = same;
        this.last = frame;
        for (const c of this.clients) c.write(frame);
        this.lastKeepalive = now;
      } else if (now - this.lastKeepalive > KEEPALIVE_MS) {
        for (const c of this.clients) c.write(": keepalive\n\n");
        this.lastKeepalive = now;
      }
    } catch (err) {
      this.logger.warn({ err }, "could not read the console status");
    } finally {
      this.reading = false;
    }
  }
}
