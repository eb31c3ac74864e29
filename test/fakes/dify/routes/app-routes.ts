import type { FakeDifyContext, IncomingCall } from "../context.js";
import { replies, sendJson, sendReply } from "../replies.js";
import { notFound, readJsonObject, userArg } from "./request-checks.js";

/** GET /v1/ needs no key: Dify's health check. */
export function getRoot(ctx: FakeDifyContext, call: IncomingCall): void {
  sendJson(call.res, 200, { welcome: "Dify OpenAPI", api_version: "v1", server_version: ctx.settings.serverVersion });
}

export function getInfo(ctx: FakeDifyContext, call: IncomingCall): void {
  const s = ctx.settings;
  sendJson(call.res, 200, { name: s.appName, description: s.appDescription, tags: [], mode: s.mode, author_name: "Test Team" });
}

/**
 * GET /v1/site (api/controllers/service_api/app/site.py): the WebApp settings marshalled with `site_fields`;
 * an app without a site is a 403 Forbidden.
 */
export function getSite(ctx: FakeDifyContext, call: IncomingCall): void {
  const site = ctx.settings.site;
  if (!site) return sendReply(call.res, replies.json(403, "forbidden", "You don't have the permission to access the requested resource."));
  sendJson(call.res, 200, {
    ...site,
    chat_color_theme: null,
    chat_color_theme_inverted: false,
    copyright: null,
    privacy_policy: null,
    custom_disclaimer: "",
    default_language: "en-US",
    show_workflow_steps: true,
    use_icon_as_answer_icon: false,
  });
}

export function getParameters(ctx: FakeDifyContext, call: IncomingCall): void {
  sendJson(call.res, 200, ctx.settings.parameters);
}

export function getMeta(_ctx: FakeDifyContext, call: IncomingCall): void {
  sendJson(call.res, 200, { tool_icons: {} });
}

const SORTS = ["created_at", "-created_at", "updated_at", "-updated_at"] as const;

/** GET /v1/conversations?user&last_id&limit&sort_by: this user's conversations, by default most recently updated first. */
export function getConversations(ctx: FakeDifyContext, call: IncomingCall): void {
  const user = call.query.get("user") || "DEFAULT-USER";
  const limit = Math.min(100, Math.max(1, Number(call.query.get("limit") ?? "20") || 20));
  const sortBy = call.query.get("sort_by") ?? "-updated_at";
  if (!(SORTS as readonly string[]).includes(sortBy))
    return sendReply(call.res, replies.json(400, "invalid_param", `sort_by must be one of ${SORTS.join(", ")}`));
  const field = sortBy.endsWith("created_at") ? "createdAt" : "updatedAt";
  const sign = sortBy.startsWith("-") ? -1 : 1;
  // Ties (same second) keep creation order, newest last, then the sign applies, as the database's ORDER BY would.
  const mine = [...ctx.store.conversations.values()]
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.user === user && !c.isDeleted)
    .sort((a, b) => sign * (a.c[field] - b.c[field] || a.i - b.i))
    .map(({ c }) => c);
  const lastId = call.query.get("last_id");
  let start = 0;
  if (lastId) {
    start = mine.findIndex((c) => c.id === lastId) + 1;
    if (start === 0) return sendReply(call.res, notFound(ctx, call, "Last Conversation Not Exists."));
  }
  const page = mine.slice(start, start + limit);
  sendJson(call.res, 200, {
    limit,
    has_more: start + limit < mine.length,
    data: page.map((c) => ({ id: c.id, name: c.name, inputs: c.inputs, status: "normal", introduction: "", created_at: c.createdAt, updated_at: c.updatedAt })),
  });
}

/** DELETE /v1/conversations/:id: 1.12.1 deletes by id and answers 204 whatever the owner; newer checks ownership. */
export function deleteConversation(ctx: FakeDifyContext, call: IncomingCall, conversationId: string): void {
  const json = readJsonObject(call);
  if (!json.ok) return sendReply(call.res, json.reply);
  const user = userArg(json.value.user);
  if (!user.ok) return sendReply(call.res, user.reply);
  const own = ctx.store.findConversation(conversationId, user.value);
  if (ctx.settings.deleteChecksOwnership && !own) return sendReply(call.res, notFound(ctx, call, "Conversation Not Exists."));
  const target = ctx.store.conversations.get(conversationId.toLowerCase());
  if (target) target.isDeleted = true;
  call.res.writeHead(204);
  call.res.end();
}

/** GET /files/...: files registered by the test (tool outputs, previews). No key needed; signatures are not checked. */
export function getServedFile(ctx: FakeDifyContext, call: IncomingCall): void {
  const file = ctx.store.files.get(call.path);
  if (!file) {
    call.res.writeHead(404, { "content-type": "application/json" });
    call.res.end('{"code": "not_found", "message": "File not found", "status": 404}\n');
    return;
  }
  if (file.redirectTo !== undefined) {
    call.res.writeHead(302, { location: file.redirectTo });
    return void call.res.end();
  }
  call.res.writeHead(200, { "content-type": file.mimeType, ...(file.chunked ? {} : { "content-length": file.bytes.byteLength }) });
  if (call.method === "HEAD") return void call.res.end();
  if (!file.chunked) return void call.res.end(file.bytes);
  // Chunked: several writes and no length, so a size cap can only be enforced while reading.
  const piece = 64 * 1024;
  for (let i = 0; i < file.bytes.byteLength; i += piece) call.res.write(file.bytes.subarray(i, i + piece));
  call.res.end();
}
