import type { ServerResponse } from "node:http";
import { pythonJson, pythonRepr } from "./python-json.js";
import type { HttpErrorReply } from "./steps.js";

/** Dify's error envelope `{code, message, status}` (plus `params` in the old reqparse shape). */
function json(status: number, code: string, message: string, extra: Record<string, unknown> = {}): HttpErrorReply {
  return { kind: "http-error", status, body: { code, message, status, ...extra } };
}

function html(status: number, page: string): HttpErrorReply {
  return { kind: "http-error", status, body: page, contentType: "text/html; charset=utf-8" };
}

const nginxPage = (status: number, title: string) =>
  `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

const FLASK_NOT_FOUND_PAGE =
  "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";

const WERKZEUG_500 =
  "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.";

/**
 * Ready-made HTTP error answers, usable as a chat script (`dify.onChat(() => replies.quotaExceeded())`), as a
 * script step before the first byte, from `dify.intercept`, or from the audio handler.
 */
export const replies = {
  json,
  html,
  /** App concurrency limit: 429 `too_many_requests` (docs) or 400 `invalid_param` (1.12.1 code path). */
  tooManyRequests: (style: "too_many_requests" | "invalid_param" = "too_many_requests", limit = 1, appId = FAKE_APP_ID): HttpErrorReply => {
    const message = `Too many requests. Please try again later. The current maximum concurrent requests allowed for ${appId} is ${limit}.`;
    return style === "too_many_requests" ? json(429, "too_many_requests", message) : json(400, "invalid_param", message);
  },
  /** Cloud billing quota: 429 `rate_limit_error`, not worth retrying. */
  quotaExceeded: (tenantId = "5b2d9c7e-1f0a-4d3b-8e6c-9a7b5c3d1e0f"): HttpErrorReply =>
    json(429, "rate_limit_error", `Workflow execution quota limit reached for tenant ${tenantId}`),
  conversationNotFound: (withHelpSuffix = false): HttpErrorReply => json(404, "not_found", `Conversation Not Exists.${withHelpSuffix ? CHAT_HELP_SUFFIX : ""}`),
  /** A bare werkzeug InternalServerError. */
  serverError: (): HttpErrorReply => json(500, "internal_server_error", WERKZEUG_500),
  /**
   * A failure after Dify wrote the conversation and message rows (`_init_generate_records` commits them before the
   * worker starts; completion.py's `except Exception: raise InternalServerError()` then answers 500): the question
   * stays in GET /messages, with no answer.
   */
  serverErrorAfterStoring: (): HttpErrorReply => ({ ...json(500, "internal_server_error", WERKZEUG_500), afterStoring: true }),
  /** Any unexpected exception in a Dify controller. */
  unknownError: (): HttpErrorReply => ({ kind: "http-error", status: 500, body: { message: "Internal Server Error", code: "unknown", status: 500 } }),
  /** nginx in front of Dify: 413 body too large, 502/504 gateway errors. */
  nginx: (status: 413 | 502 | 503 | 504): HttpErrorReply =>
    html(
      status,
      nginxPage(status, { 413: "Request Entity Too Large", 502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out" }[status]),
    ),
  /** Cloudflare's page when Dify Cloud took longer than ~100 s. */
  cloudflareTimeout: (): HttpErrorReply =>
    html(
      524,
      '<!DOCTYPE html>\n<html lang="en-US"><head><title>api.dify.ai | 524: A timeout occurred</title></head><body><h1>A timeout occurred</h1><span>Error code 524</span></body></html>\n',
    ),
  flaskNotFound: (): HttpErrorReply => html(404, FLASK_NOT_FOUND_PAGE),
};

export const FAKE_APP_ID = "3c9a7e52-6d1b-4f08-a2e4-8b5d0c7f1a93";

const CHAT_HELP_SUFFIX =
  " You have requested this URI [/v1/chat-messages] but did you mean /v1/chat-messages or /api/chat-messages or /v1/chat-messages/<string:task_id>/stop ?";

/** flask-restx's 404 help text for a path (section 2.3). */
export function notFoundHelpSuffix(path: string): string {
  return path === "/v1/chat-messages" ? CHAT_HELP_SUFFIX : ` You have requested this URI [${path}] but did you mean ${path} ?`;
}

export interface FieldProblem {
  readonly field: string;
  /** pydantic `type`: missing, string_type, dict_type, literal_error, value_error … */
  readonly type: string;
  readonly msg: string;
  readonly input?: unknown;
}

/** A validation failure in either pydantic (>= 1.11) or reqparse (older) form (section 2.2, items 3 and 5). */
export function validationError(style: "pydantic" | "reqparse", model: string, problem: FieldProblem, body: unknown): HttpErrorReply {
  if (style === "reqparse") return json(400, "invalid_param", problem.msg, { params: problem.field });
  const input = problem.type === "missing" ? body : problem.input;
  const text =
    `1 validation error for ${model}\n${problem.field}\n  ${problem.msg} [type=${problem.type}, input_value=${pythonRepr(input)}, input_type=${pythonType(input)}]\n` +
    `    For further information visit https://errors.pydantic.dev/2.11/v/${problem.type}`;
  return json(400, "invalid_param", text);
}

function pythonType(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (Array.isArray(v)) return "list";
  return { string: "str", number: Number.isInteger(v) ? "int" : "float", boolean: "bool", object: "dict" }[typeof v as "string"] ?? "str";
}

/** Writes a reply the way flask-restx does: `json.dumps(body) + "\n"`; 401s carry WWW-Authenticate. */
export function sendReply(res: ServerResponse, reply: HttpErrorReply): void {
  const isJson = typeof reply.body !== "string";
  const text = isJson ? `${pythonJson(reply.body)}\n` : (reply.body as string);
  res.writeHead(reply.status, {
    "content-type": reply.contentType ?? (isJson ? "application/json" : "text/html; charset=utf-8"),
    "content-length": Buffer.byteLength(text),
    ...(reply.status === 401 ? { "www-authenticate": 'Bearer realm="api"' } : {}),
    ...reply.headers,
  });
  res.end(text);
}

/** A successful JSON answer (flask-restx: spaced, ASCII-escaped, trailing newline). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${pythonJson(body)}\n`;
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
