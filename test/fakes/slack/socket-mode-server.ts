import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { fakeNowMs } from "../clock.js";

export interface FakeSocketModeOptions {
  /** The server pings every client this often; Slack's client gives up after 30 s without one. @defaultValue 2_000 */
  readonly pingIntervalMs?: number;
  /** How long `deliver` waits for the client's ack before resolving with null. @defaultValue 3_000 */
  readonly ackTimeoutMs?: number;
  readonly appId?: string;
}

export interface SocketModeAck {
  readonly envelopeId: string;
  readonly payload: unknown;
  readonly atMs: number;
}

export interface DeliverOptions {
  readonly type?: "events_api" | "interactive" | "slash_commands";
  readonly retryAttempt?: number;
  readonly retryReason?: string;
  readonly ackTimeoutMs?: number;
}

/**
 * Slack's Socket Mode end: `apps.connections.open` hands out `ws://…/link/?ticket=…`, the server says hello,
 * pings every few seconds, delivers envelopes and collects acks. Attach it to an http.Server's upgrades.
 */
export class FakeSocketModeServer {
  readonly acks: SocketModeAck[] = [];
  /** Every envelope sent, in order. */
  readonly delivered: Array<{ envelopeId: string; type: string; retryAttempt: number; payload: unknown }> = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients = new Set<WebSocket>();
  private readonly ackWaiters = new Map<string, (ack: SocketModeAck) => void>();
  private readonly tickets = new Set<string>();
  private readonly connectWaiters: Array<() => void> = [];
  private connectionCount = 0;

  constructor(private readonly options: FakeSocketModeOptions = {}) {}

  /** Number of connections opened so far (reconnects included). */
  get totalConnections(): number {
    return this.connectionCount;
  }

  get openConnections(): number {
    return [...this.clients].filter((c) => c.readyState === WebSocket.OPEN).length;
  }

  /** Issues a one-time ticket URL, as apps.connections.open does. */
  openLink(baseWsUrl: string): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${baseWsUrl}/link/?ticket=${ticket}`;
  }

  /** Call from the http server's "upgrade" event; returns false when the request is not for this server. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? "/", "http://fake.local");
    if (url.pathname !== "/link/" && url.pathname !== "/link") return false;
    const ticket = url.searchParams.get("ticket") ?? "";
    if (!this.tickets.delete(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\n\r\n");
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    return true;
  }

  private onConnection(ws: WebSocket): void {
    this.clients.add(ws);
    this.connectionCount += 1;
    const ping = setInterval(() => {
      if (ws.readyState === WebSocket.OPEN) ws.ping();
    }, this.options.pingIntervalMs ?? 2_000);
    ws.on("close", () => {
      clearInterval(ping);
      this.clients.delete(ws);
    });
    ws.on("message", (data) => {
      let msg: { envelope_id?: string; payload?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      if (typeof msg.envelope_id !== "string") return;
      const ack: SocketModeAck = { envelopeId: msg.envelope_id, payload: msg.payload, atMs: fakeNowMs() };
      this.acks.push(ack);
      this.ackWaiters.get(msg.envelope_id)?.(ack);
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.clients.size,
        debug_info: { host: "fake-slack", started: new Date().toISOString(), build_number: 1, approximate_connection_time: 3600 },
        connection_info: { app_id: this.options.appId ?? "AFAKEAPP" },
      }),
    );
    for (const resolve of this.connectWaiters.splice(0)) resolve();
  }

  /** Resolves once a client is connected (immediately when one already is). */
  async waitForConnection(timeoutMs = 5_000): Promise<void> {
    if (this.openConnections > 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no Socket Mode client connected")), timeoutMs);
      this.connectWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Sends one envelope (the same body the Events API would POST, or an interaction payload) and waits for its
   * ack. Resolves with the ack, or null when none came within the timeout (Slack would then redeliver it).
   */
  async deliver(payload: unknown, opts: DeliverOptions = {}): Promise<SocketModeAck | null> {
    const ws = [...this.clients].find((c) => c.readyState === WebSocket.OPEN);
    if (ws === undefined) throw new Error("no Socket Mode client connected");
    const envelopeId = randomUUID();
    const type = opts.type ?? "events_api";
    const retryAttempt = opts.retryAttempt ?? 0;
    const acked = new Promise<SocketModeAck | null>((resolve) => {
      const timer = setTimeout(
        () => {
          this.ackWaiters.delete(envelopeId);
          resolve(null);
        },
        opts.ackTimeoutMs ?? this.options.ackTimeoutMs ?? 3_000,
      );
      this.ackWaiters.set(envelopeId, (ack) => {
        clearTimeout(timer);
        this.ackWaiters.delete(envelopeId);
        resolve(ack);
      });
    });
    this.delivered.push({ envelopeId, type, retryAttempt, payload });
    ws.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== "events_api",
        retry_attempt: retryAttempt,
        retry_reason: opts.retryReason ?? (retryAttempt > 0 ? "timeout" : ""),
      }),
    );
    return acked;
  }

  /** Asks every client to reconnect, as Slack does periodically. */
  sendDisconnect(reason = "refresh_requested"): void {
    for (const ws of this.clients) ws.send(JSON.stringify({ type: "disconnect", reason, debug_info: { host: "fake-slack" } }));
  }

  /**
   * Waits (up to `graceMs`) for clients to close their side first, then terminates the rest. Closing the
   * server under a client that is still shutting down leaves its 30 s server-ping timer running.
   */
  async close(graceMs = 2_000): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
