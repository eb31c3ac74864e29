import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpRoute } from "../contracts/chat-platform.js";
import type { Logger } from "../contracts/logger.js";
import type { ConsoleAuth } from "./console-auth.js";
import { QUEUES_PATH } from "./queue-board.js";
import { STATUS_PAGE_HTML, STATUS_SCRIPT } from "./status-page.js";
import type { StatusSource } from "./status-source.js";
import { StatusStream } from "./status-stream.js";

export interface ConsoleHttpOptions {
  readonly auth: ConsoleAuth;
  readonly status: StatusSource;
  /** Bull Board, for everything under /console/queues. */
  readonly queues: (req: IncomingMessage, res: ServerResponse) => void;
  /** Routes of adapters served inside the console (the web playground), matched exactly. */
  readonly routes: () => readonly HttpRoute[];
  readonly logger: Logger;
}

/** Every console response, whatever produced it: never cached, never framed, never leaking the address. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};
/** Our own pages: scripts and styles from the console only, data from the console only. */
const OWN_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export const isConsolePath = (path: string): boolean => path === "/console" || path.startsWith("/console/");

/**
 * The console's one entry point: authenticates first (nothing under /console answers without CONSOLE_TOKEN: 401
 * for pages and APIs alike), then serves the status page and its APIs, Bull Board and the adapters' console
 * routes. The security headers are forced on every response, including Bull Board's own (its static files would
 * otherwise be cacheable).
 */
export function createConsoleHandler(opts: ConsoleHttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const stream = new StatusStream(opts.status, opts.logger);
  return (req, res) => {
    forceHeaders(res);
    const url = new URL(req.url ?? "/", "http://console.invalid");
    const verdict = opts.auth.judge(req, url);
    if (verdict.kind === "denied") {
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer realm="dify-bridge console"' });
      res.end(JSON.stringify({ error: "unauthorized", fix: "send CONSOLE_TOKEN as a Bearer token, or open the page once with ?token=" }));
      return;
    }
    if (verdict.kind === "login") {
      res.writeHead(303, { location: verdict.location, "set-cookie": verdict.cookie });
      res.end();
      return;
    }
    route(req, res, url.pathname).catch((err: unknown) => {
      opts.logger.error({ err, path: url.pathname }, "console request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "internal error" }));
    });
  };

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === QUEUES_PATH || path.startsWith(`${QUEUES_PATH}/`)) return opts.queues(req, res);
    const own = opts.routes().find((r) => r.method === req.method && r.path === path);
    if (own) return own.handle(req, res);
    const get = req.method === "GET" || req.method === "HEAD";
    if (get && (path === "/console" || path === "/console/")) return send(res, 200, STATUS_PAGE_HTML, "text/html; charset=utf-8", OWN_PAGE_CSP);
    if (get && path === "/console/assets/status.js") return send(res, 200, STATUS_SCRIPT, "text/javascript; charset=utf-8");
    if (get && path === "/console/api/status") return send(res, 200, JSON.stringify(await opts.status.snapshot()), "application/json");
    if (get && path === "/console/api/events") return stream.attach(req, res);
    if (req.method === "POST" && path === "/console/api/doctor") {
      await opts.status.runDoctor();
      return send(res, 200, JSON.stringify((await opts.status.snapshot()).doctor), "application/json");
    }
    send(res, 404, JSON.stringify({ error: "not found" }), "application/json");
  }
}

function send(res: ServerResponse, status: number, body: string, type: string, csp?: string): void {
  res.writeHead(status, { "content-type": type, ...(csp ? { "content-security-policy": csp } : {}) });
  res.end(body);
}

/** Sets the headers again at writeHead, after any handler (Express included) set its own. */
function forceHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((...args: unknown[]) => {
    const headers = args.find((a, i) => i > 0 && typeof a === "object" && a !== null && !Array.isArray(a)) as Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) {
      if (headers) for (const name of Object.keys(headers)) if (name.toLowerCase() === k) delete headers[name];
      res.setHeader(k, v);
    }
    return writeHead(...args);
  }) as ServerResponse["writeHead"];
}
