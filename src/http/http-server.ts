import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isConsolePath } from "../console/console-http.js";
import type { HttpRoute } from "../contracts/chat-platform.js";
import type { Logger } from "../contracts/logger.js";

export interface HttpServerOptions {
  readonly routes: () => readonly HttpRoute[];
  /** Liveness: the process is up. */
  readonly isAlive: () => boolean;
  /** Readiness: dependencies reachable, platforms connected, not draining. */
  readonly readiness: () => Promise<{ ready: boolean; checks: Record<string, boolean> }>;
  readonly metrics: () => Promise<{ contentType: string; body: string }>;
  readonly logger: Logger;
  /** Serve /healthz, /readyz and /metrics here (false when they have a port of their own). @defaultValue true */
  readonly ops?: boolean;
  /** The operator console (CONSOLE_TOKEN): everything under /console, authenticated by it. */
  readonly console?: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
}

/** /healthz, /readyz, /metrics, and the platforms' own routes (Slack's Events API), on one port or split over two. */
export function createHttpServer(opts: HttpServerOptions): Server {
  const send = (res: ServerResponse, status: number, body: string, type = "application/json") => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    res.end(body);
  };
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (opts.console && isConsolePath(path)) return opts.console(req, res);
    const route = opts.routes().find((r) => r.method === req.method && r.path === path);
    if (route) {
      route.handle(req, res);
      return;
    }
    if (opts.ops === false) return send(res, 404, JSON.stringify({ error: "not found" }));
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, JSON.stringify({ error: "method not allowed" }));
    if (path === "/healthz") return send(res, opts.isAlive() ? 200 : 503, JSON.stringify({ status: opts.isAlive() ? "ok" : "down" }));
    if (path === "/readyz") {
      opts.readiness().then(
        ({ ready, checks }) => send(res, ready ? 200 : 503, JSON.stringify({ status: ready ? "ready" : "not ready", checks })),
        (err: unknown) => {
          opts.logger.warn({ err }, "readiness check failed");
          send(res, 503, JSON.stringify({ status: "not ready" }));
        },
      );
      return;
    }
    if (path === "/metrics") {
      opts.metrics().then(
        (m) => send(res, 200, m.body, m.contentType),
        (err: unknown) => {
          opts.logger.warn({ err }, "metrics collection failed");
          send(res, 500, "");
        },
      );
      return;
    }
    send(res, 404, JSON.stringify({ error: "not found" }));
  });
}
