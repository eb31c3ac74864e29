import type { IncomingMessage, ServerResponse } from "node:http";
import { fakeNowMs } from "../clock.js";
import { sendBody } from "../response-body.js";

export interface CdnRequestRecord {
  readonly path: string;
  /** Whether an Authorization header came along (it never should). */
  readonly hadAuthorization: boolean;
  readonly at: number;
}

interface CdnFile {
  readonly data: Uint8Array;
  readonly contentType: string;
  /** Stream without Content-Length, to test caps that do not trust the header. */
  readonly omitLength: boolean;
  /** Send one byte per this many ms (a stalling host), instead of the whole body at once. */
  readonly trickleMs?: number | undefined;
}

export interface CdnServeOptions {
  readonly omitLength?: boolean | undefined;
  readonly trickleMs?: number | undefined;
}

/** Serves attachment bytes under /cdn/attachments/<channel>/<attachment>/<name>, with signed-looking query strings. */
export class FakeCdn {
  readonly #files = new Map<string, CdnFile>();
  readonly #redirects = new Map<string, string>();
  readonly requests: CdnRequestRecord[] = [];
  #next = 1;

  constructor(private readonly baseUrl: () => string) {}

  /** Stores bytes and returns their signed URL. */
  host(channelId: string, attachmentId: string, filename: string, data: Uint8Array, contentType: string, serve: CdnServeOptions = {}): string {
    const path = `/cdn/attachments/${channelId}/${attachmentId}/${encodeURIComponent(filename)}`;
    this.#files.set(path, { data, contentType, omitLength: serve.omitLength ?? false, trickleMs: serve.trickleMs });
    const ex = Math.floor(Date.now() / 1000 + 86_400).toString(16);
    return `${this.baseUrl()}${path}?ex=${ex}&is=${Math.floor(Date.now() / 1000).toString(16)}&hm=f4ke`;
  }

  /** A URL on the fake that answers 302 to `location`. */
  redirectTo(location: string): string {
    const path = `/cdn/redirect/${this.#next++}`;
    this.#redirects.set(path, location);
    return `${this.baseUrl()}${path}`;
  }

  handles(path: string): boolean {
    return path.startsWith("/cdn/");
  }

  handle(req: IncomingMessage, res: ServerResponse, path: string): void {
    this.requests.push({ path, hadAuthorization: req.headers.authorization !== undefined, at: fakeNowMs() });
    const redirect = this.#redirects.get(path);
    if (redirect) {
      res.writeHead(302, { location: redirect });
      res.end();
      return;
    }
    const file = this.#files.get(path);
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("This content is no longer available.");
      return;
    }
    const headers: Record<string, string> = { "content-type": file.contentType };
    if (!file.omitLength) headers["content-length"] = String(file.data.byteLength);
    res.writeHead(200, headers);
    sendBody(res, file.data, file.trickleMs);
  }
}
