import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { identifyShard, type ShardKey, shardReceives } from "./sharding.js";

/** The Message Content intent (privileged), 1 << 15. */
export const MESSAGE_CONTENT_INTENT = 1 << 15;

export interface IdentifyRecord {
  readonly token: string;
  readonly intents: number;
  /** IDENTIFY's `shard` as sent (undefined when absent). */
  readonly shard: unknown;
  readonly at: number;
}

/** One gateway session; it survives a reconnect when the client resumes. */
export interface GatewaySession {
  readonly id: string;
  readonly intents: number;
  /** [shard_id, num_shards] from IDENTIFY ([0, 1] when absent). */
  readonly shard: ShardKey;
  /** Guild ids of every dispatch this session was sent ("" for events without a guild). */
  readonly guildsSent: Set<string>;
  socket: WebSocket | null;
  seq: number;
  ready: boolean;
}

export interface FakeGatewayHooks {
  readonly token: string;
  readonly heartbeatIntervalMs: number;
  readonly isMessageContentGranted: () => boolean;
  /** Whether a session of this shard would hold more guilds than Discord allows (close 4011). */
  readonly shardingRequired: (shard: ShardKey) => boolean;
  /** READY's `d` for a new session. */
  readonly readyPayload: (session: GatewaySession) => Record<string, unknown>;
  /** Dispatched right after READY (GUILD_CREATE for every guild of the session's shard). */
  readonly afterReady: (session: GatewaySession) => Array<{ t: string; d: unknown }>;
}

/**
 * The gateway half of the fake (JSON encoding, no compression): HELLO, IDENTIFY → READY + GUILD_CREATEs,
 * heartbeat ACKs, RESUME → RESUMED, close 4004 for a bad token and 4014 when the Message Content intent is
 * requested but not granted. Sharded as Discord shards (sharding.ts): each dispatch reaches the sessions whose
 * shard owns its guild; close 4010 for an invalid `shard`, 4011 when a shard would hold too many guilds.
 */
type IdentifyData = { token: string; intents: number; shard?: unknown };
type ResumeData = { token: string; session_id: string; seq: number };

export class FakeGateway {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sessions = new Map<string, GatewaySession>();
  readonly identifies: IdentifyRecord[] = [];
  readonly closeCodesSent: number[] = [];
  heartbeats = 0;
  resumes = 0;
  #nextSession = 1;

  constructor(private readonly hooks: FakeGatewayHooks) {
    this.#wss.on("connection", (socket: WebSocket, req: IncomingMessage) => this.#onConnection(socket, req));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit("connection", ws, req));
  }

  /** Sessions that completed IDENTIFY and are connected. */
  get readySessions(): GatewaySession[] {
    return [...this.#sessions.values()].filter((s) => s.ready && s.socket !== null);
  }

  get openSockets(): number {
    return this.#wss.clients.size;
  }

  /**
   * Sends a dispatch to every ready session whose shard receives it (by the payload's `guild_id`; events
   * without one go to shard 0); `d` may depend on the session (intents).
   */
  dispatch(t: string, d: unknown | ((session: GatewaySession) => unknown)): void {
    for (const s of this.readySessions) {
      const data = typeof d === "function" ? (d as (session: GatewaySession) => unknown)(s) : d;
      const guildId = (data as { guild_id?: unknown } | null)?.guild_id;
      if (!shardReceives(s.shard, typeof guildId === "string" ? guildId : undefined)) continue;
      s.guildsSent.add(typeof guildId === "string" ? guildId : "");
      this.#send(s, { op: 0, t, s: ++s.seq, d: data });
    }
  }

  /** Asks every client to reconnect and resume (op 7). */
  requestReconnect(): void {
    for (const s of this.readySessions) s.socket?.send(JSON.stringify({ op: 7, d: null }));
  }

  /** Closes every connection with `code` (e.g. 4000 to make clients resume). */
  closeAll(code: number, reason = ""): void {
    for (const ws of this.#wss.clients) {
      this.closeCodesSent.push(code);
      ws.close(code, reason);
    }
  }

  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #onConnection(socket: WebSocket, req: IncomingMessage): void {
    const query = new URL(req.url ?? "/", "http://fake").searchParams;
    if (query.get("compress") || (query.get("encoding") ?? "json") !== "json") {
      this.#closeWith(socket, 4002, "Only uncompressed JSON is supported by the fake");
      return;
    }
    let session: GatewaySession | null = null;
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.hooks.heartbeatIntervalMs } }));
    socket.on("message", (raw) => {
      let packet: { op: number; d: unknown };
      try {
        packet = JSON.parse(String(raw));
      } catch {
        this.#closeWith(socket, 4002, "Decode error");
        return;
      }
      if (packet.op === 1) {
        this.heartbeats++;
        socket.send(JSON.stringify({ op: 11 }));
      } else if (packet.op === 2) {
        session = this.#identify(socket, packet.d as IdentifyData);
      } else if (packet.op === 6) {
        session = this.#resume(socket, packet.d as ResumeData);
      }
    });
    socket.on("close", () => {
      if (session && session.socket === socket) session.socket = null;
    });
  }

  #identify(socket: WebSocket, d: IdentifyData): GatewaySession | null {
    this.identifies.push({ token: d.token, intents: d.intents, shard: d.shard, at: Date.now() });
    if (d.token !== this.hooks.token) {
      this.#closeWith(socket, 4004, "Authentication failed.");
      return null;
    }
    const shard = identifyShard(d.shard);
    if (shard === 4010) {
      this.#closeWith(socket, 4010, "Invalid shard.");
      return null;
    }
    if (this.hooks.shardingRequired(shard)) {
      this.#closeWith(socket, 4011, "Sharding required.");
      return null;
    }
    if ((d.intents & MESSAGE_CONTENT_INTENT) !== 0 && !this.hooks.isMessageContentGranted()) {
      this.#closeWith(socket, 4014, "Disallowed intent(s).");
      return null;
    }
    const session: GatewaySession = {
      id: `fake-session-${this.#nextSession++}`,
      intents: d.intents,
      shard,
      guildsSent: new Set(),
      socket,
      seq: 0,
      ready: false,
    };
    this.#sessions.set(session.id, session);
    this.#send(session, { op: 0, t: "READY", s: ++session.seq, d: this.hooks.readyPayload(session) });
    session.ready = true;
    for (const event of this.hooks.afterReady(session)) {
      session.guildsSent.add(String((event.d as { id?: unknown }).id ?? ""));
      this.#send(session, { op: 0, t: event.t, s: ++session.seq, d: event.d });
    }
    return session;
  }

  #resume(socket: WebSocket, d: ResumeData): GatewaySession | null {
    const session = this.#sessions.get(d.session_id);
    if (!session || d.token !== this.hooks.token) {
      socket.send(JSON.stringify({ op: 9, d: false }));
      return null;
    }
    this.resumes++;
    session.socket = socket;
    this.#send(session, { op: 0, t: "RESUMED", s: ++session.seq, d: {} });
    return session;
  }

  #send(session: GatewaySession, payload: unknown): void {
    if (session.socket && session.socket.readyState === session.socket.OPEN) session.socket.send(JSON.stringify(payload));
  }

  #closeWith(socket: WebSocket, code: number, reason: string): void {
    this.closeCodesSent.push(code);
    socket.close(code, reason);
  }
}
