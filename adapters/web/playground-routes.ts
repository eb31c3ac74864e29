import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { HttpRoute, InboundEvent } from "../../src/contracts/chat-platform.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { ReplyTarget } from "../../src/contracts/messages.js";
import { encodeConversationKey } from "../shared/conversation-key.js";
import { WEB_LIMITS } from "./limits.js";
import { PLAYGROUND_HTML, PLAYGROUND_SCRIPT } from "./playground-page.js";
import type { WebThreads } from "./web-threads.js";

const PLAYGROUND_PATH = "/console/playground";
const API = `${PLAYGROUND_PATH}/api`;

interface RouteDeps {
  readonly threads: WebThreads;
  /** Resolves false when intake has stopped. */
  readonly deliver: (event: InboundEvent) => Promise<boolean>;
  readonly logger: Logger;
}

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be an id");
const userId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "must be 1-40 letters, digits, '-' or '_'");
const messageBody = z.object({
  thread: id,
  user: userId,
  name: z.string().max(80).optional(),
  text: z.string().max(WEB_LIMITS.messageChars),
  files: z
    .array(z.object({ name: z.string().min(1).max(200), mimeType: z.string().max(200), base64: z.string() }))
    .max(10)
    .default([]),
});
const clickBody = z.object({ thread: id, user: userId, name: z.string().max(80).optional(), message: id, actionId: z.string().min(1).max(100) });
const reactBody = z.object({ thread: id, user: userId, message: id, emoji: z.string().min(1).max(32), added: z.boolean() });

/** "👍" / "👎" with any skin tone are feedback; every other emoji is not. */
function reactionOf(emoji: string): "thumbs_up" | "thumbs_down" | null {
  const bare = emoji.replace(/[\u{1F3FB}-\u{1F3FF}\uFE0F]/gu, "");
  return bare === "👍" ? "thumbs_up" : bare === "👎" ? "thumbs_down" : null;
}

class BadRequest extends Error {}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > WEB_LIMITS.maxRequestBytes) throw new BadRequest(`the request is over ${WEB_LIMITS.maxRequestBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BadRequest("the body is not JSON");
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new BadRequest(r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  return r.data;
}

function targetOf(threadId: string): ReplyTarget {
  return { platform: "web", workspaceId: "playground", channelId: threadId, threadId };
}

const keyOf = (threadId: string) => encodeConversationKey("web", { workspaceId: "playground", channelId: threadId, threadId });
const eventId = () => randomUUID().replace(/-/g, "");

/**
 * The playground's HTTP API, all under /console/playground (the console authenticates every request before it
 * gets here). The page posts questions, clicks and reactions; each becomes the same normalized event a Slack or
 * Discord adapter hands the core. The page follows its chat through server-sent events.
 */
export function playgroundRoutes(deps: RouteDeps): HttpRoute[] {
  const { threads } = deps;
  const guard =
    (fn: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse): void => {
      fn(req, res).catch((err: unknown) => {
        if (err instanceof BadRequest) return send(res, 400, { error: err.message });
        const code = (err as { code?: unknown })?.code;
        if (code === "PLATFORM_NOT_FOUND") return send(res, 404, { error: "no such chat or message" });
        deps.logger.error({ err }, "playground request failed");
        if (!res.headersSent) send(res, 500, { error: "the bridge could not take this request; try again" });
        else res.end();
      });
    };
  const delivered = async (res: ServerResponse, event: InboundEvent, body: Record<string, unknown>) => {
    if (await deps.deliver(event)) send(res, 200, body);
    else send(res, 503, { error: "the bridge is shutting down" });
  };

  return [
    { method: "GET", path: PLAYGROUND_PATH, handle: (_req, res) => page(res, PLAYGROUND_HTML, "text/html; charset=utf-8") },
    { method: "GET", path: `${PLAYGROUND_PATH}/app.js`, handle: (_req, res) => page(res, PLAYGROUND_SCRIPT, "text/javascript; charset=utf-8") },
    {
      method: "POST",
      path: `${API}/threads`,
      handle: guard(async (_req, res) => send(res, 200, { thread: threads.createThread() })),
    },
    {
      method: "GET",
      path: `${API}/thread`,
      handle: guard(async (req, res) => {
        const q = new URL(req.url ?? "/", "http://x").searchParams;
        send(res, 200, threads.view(parse(id, q.get("id")), parse(userId, q.get("user"))));
      }),
    },
    {
      method: "GET",
      path: `${API}/events`,
      handle: guard(async (req, res) => {
        const q = new URL(req.url ?? "/", "http://x").searchParams;
        const thread = parse(id, q.get("thread"));
        const viewer = parse(userId, q.get("user"));
        threads.view(thread, viewer);
        res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive", "x-accel-buffering": "no" });
        let last = "";
        const push = () => {
          const frame = JSON.stringify(threads.has(thread) ? threads.view(thread, viewer) : { threadId: thread, gone: true });
          if (frame !== last) res.write(`event: chat\ndata: ${frame}\n\n`);
          last = frame;
        };
        push();
        const off = threads.subscribe(thread, push);
        // Typing ends by itself: the page learns it from the next frame.
        const tick = setInterval(push, 2_000);
        req.on("close", () => {
          off();
          clearInterval(tick);
        });
      }),
    },
    {
      method: "POST",
      path: `${API}/messages`,
      handle: guard(async (req, res) => {
        const body = parse(messageBody, await readJson(req));
        const files = body.files.map((f) => ({
          name: f.name,
          mimeType: f.mimeType || "application/octet-stream",
          data: new Uint8Array(Buffer.from(f.base64, "base64")),
        }));
        const tooBig = files.find((f) => f.data.byteLength > WEB_LIMITS.maxUploadBytes);
        if (tooBig) throw new BadRequest(`${tooBig.name} is over ${WEB_LIMITS.maxUploadBytes} bytes`);
        if (body.text.trim() === "" && files.length === 0) throw new BadRequest("write a question or attach a file");
        const m = threads.addUserMessage(body.thread, body.user, body.text, files);
        const attachments = m.files.map((f) => ({ id: f.id, name: f.name, mimeType: f.mimeType, sizeBytes: f.data.byteLength, isVoiceNote: false, ref: f.id }));
        await delivered(
          res,
          {
            kind: "message",
            message: {
              platform: "web",
              messageId: m.id,
              dedupeKey: m.id,
              conversationKey: keyOf(body.thread),
              replyTarget: targetOf(body.thread),
              author: { userId: body.user, displayName: body.name ?? "You" },
              text: body.text,
              // A playground chat is the bot's conversation from its first message: every message is for it.
              isDirectMessage: true,
              mentionsBot: true,
              mentionsOthers: false,
              // Every chat starts with the bot in it: there is never history from before.
              inExistingThread: false,
              attachments,
              receivedAt: new Date(m.at).toISOString(),
            },
          },
          { message: m.id },
        );
      }),
    },
    {
      method: "POST",
      path: `${API}/click`,
      handle: guard(async (req, res) => {
        const body = parse(clickBody, await readJson(req));
        const m = threads.message(body.message);
        const button = m?.threadId === body.thread ? m.buttons.find((b) => b.actionId === body.actionId) : undefined;
        if (!m || !button) throw new BadRequest("that message shows no such button");
        await delivered(
          res,
          {
            kind: "action",
            action: {
              platform: "web",
              actionId: button.actionId,
              user: { userId: body.user, displayName: body.name ?? "You" },
              messageRef: { platform: "web", workspaceId: "playground", channelId: body.thread, threadId: body.thread, messageId: m.id },
              conversationKey: keyOf(body.thread),
              replyTarget: targetOf(body.thread),
              dedupeKey: eventId(),
              receivedAt: new Date().toISOString(),
            },
          },
          {},
        );
      }),
    },
    {
      method: "POST",
      path: `${API}/react`,
      handle: guard(async (req, res) => {
        const body = parse(reactBody, await readJson(req));
        const m = threads.message(body.message);
        if (!m || m.threadId !== body.thread) throw new BadRequest("no such message in that chat");
        await delivered(
          res,
          {
            kind: "reaction",
            reaction: {
              platform: "web",
              messageRef: { platform: "web", workspaceId: "playground", channelId: body.thread, threadId: body.thread, messageId: m.id },
              userId: body.user,
              isBot: body.user === "bot",
              added: body.added,
              reaction: reactionOf(body.emoji),
              rawEmoji: body.emoji,
              occurredAt: new Date().toISOString(),
            },
          },
          {},
        );
      }),
    },
    {
      method: "GET",
      path: `${API}/file`,
      handle: guard(async (req, res) => {
        const file = threads.file(parse(id, new URL(req.url ?? "/", "http://x").searchParams.get("id")));
        if (!file) return send(res, 404, { error: "no such file" });
        // Always a download, never rendered in the console's origin (a file could be HTML).
        res.writeHead(200, {
          "content-type": "application/octet-stream",
          "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
          "content-length": String(file.data.byteLength),
        });
        res.end(Buffer.from(file.data));
      }),
    },
  ];
}

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function page(res: ServerResponse, body: string, type: string): void {
  res.writeHead(200, { "content-type": type, "content-security-policy": PAGE_CSP });
  res.end(body);
}
