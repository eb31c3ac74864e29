import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { fakeNowMs } from "../clock.js";
import { markdownOfBlocks } from "./message-store.js";

/**
 * Slack's response_url webhooks (docs.slack.dev "Handling user interaction" → "Message responses"): each slash
 * command and message shortcut gets one; it takes JSON `{ text, blocks, response_type, replace_original,
 * delete_original }`, may be used up to 5 times within 30 minutes, and answers "ok". `response_type` defaults to
 * "ephemeral" (only the invoking user sees the message); `replace_original: true` replaces the message posted
 * last through it and `delete_original: true` deletes it. Past its uses or its 30 minutes it answers 404
 * `used_url` / `expired_url` and does nothing.
 */

export const RESPONSE_URL_MAX_USES = 5;
const RESPONSE_URL_TTL_MS = 30 * 60_000;

interface FakeResponseRevision {
  readonly atMs: number;
  readonly text: string;
  readonly markdown: string;
  readonly blocks: readonly unknown[];
}

/** A message posted through a response_url, as the invoking user (or the channel, for "in_channel") sees it. */
export interface FakeResponseMessage {
  readonly visibility: "ephemeral" | "in_channel";
  text: string;
  markdown: string;
  blocks: readonly unknown[];
  isDeleted: boolean;
  readonly revisions: FakeResponseRevision[];
}

export interface FakeResponseUrl {
  readonly url: string;
  readonly teamId: string;
  readonly channel: string;
  readonly user: string;
  readonly issuedAtMs: number;
  /** Every request, refused ones included. */
  readonly uses: Array<{ readonly atMs: number; readonly status: number; readonly body: Record<string, unknown> }>;
  readonly messages: FakeResponseMessage[];
}

export class FakeResponseUrls {
  private readonly byPath = new Map<string, FakeResponseUrl>();

  /** A new webhook for one interaction, under `baseUrl` (Slack's are https://hooks.slack.com/commands/…). */
  issue(baseUrl: string, init: { teamId: string; channel: string; user: string }): string {
    const path = `/commands/${init.teamId}/${Date.now()}${Math.floor(Math.random() * 1e6)}/${randomUUID().replace(/-/g, "")}`;
    const url = `${baseUrl}${path}`;
    this.byPath.set(path, { url, ...init, issuedAtMs: fakeNowMs(), uses: [], messages: [] });
    return url;
  }

  get(url: string): FakeResponseUrl | undefined {
    return this.byPath.get(new URL(url).pathname);
  }

  all(): FakeResponseUrl[] {
    return [...this.byPath.values()];
  }

  /** True when `path` is a webhook this fake issued (the server routes it here). */
  owns(path: string): boolean {
    return this.byPath.has(path);
  }

  serve(path: string, raw: Buffer, res: ServerResponse): void {
    const hook = this.byPath.get(path);
    const reply = (status: number, text: string) => {
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(text);
    };
    if (!hook) return reply(404, "no_service");
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    } catch {
      hook.uses.push({ atMs: fakeNowMs(), status: 400, body: {} });
      return reply(400, "invalid_payload");
    }
    const atMs = fakeNowMs();
    const refuse = (status: number, error: string) => {
      hook.uses.push({ atMs, status, body });
      reply(status, error);
    };
    if (atMs - hook.issuedAtMs > RESPONSE_URL_TTL_MS) return refuse(404, "expired_url");
    if (hook.uses.filter((u) => u.status === 200).length >= RESPONSE_URL_MAX_USES) return refuse(404, "used_url");
    const latest = hook.messages.at(-1);
    if (body.delete_original === true) {
      if (!latest || latest.isDeleted) return refuse(404, "message_not_found");
      latest.isDeleted = true;
      hook.uses.push({ atMs, status: 200, body });
      return reply(200, "ok");
    }
    const blocks = Array.isArray(body.blocks) ? (body.blocks as unknown[]) : [];
    const text = typeof body.text === "string" ? body.text : "";
    if (text === "" && blocks.length === 0) return refuse(400, "no_text");
    if (body.blocks !== undefined && !Array.isArray(body.blocks)) return refuse(400, "invalid_blocks");
    const markdown = markdownOfBlocks(blocks) || text;
    const revision = { atMs, text, markdown, blocks };
    if (body.replace_original === true && latest && !latest.isDeleted) {
      Object.assign(latest, { text, markdown, blocks });
      latest.revisions.push(revision);
    } else {
      const visibility = body.response_type === "in_channel" ? "in_channel" : "ephemeral";
      hook.messages.push({ visibility, text, markdown, blocks, isDeleted: false, revisions: [revision] });
    }
    hook.uses.push({ atMs, status: 200, body });
    reply(200, "ok");
  }
}
