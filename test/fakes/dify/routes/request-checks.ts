import type { FakeDifyContext, IncomingCall } from "../context.js";
import { type FieldProblem, notFoundHelpSuffix, replies, validationError } from "../replies.js";
import type { HttpErrorReply } from "../steps.js";

/** Checks shared by the routes, in the order Dify runs them (sections 1, 2 and 3.2). */

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reply: HttpErrorReply };

const fail = (reply: HttpErrorReply): { ok: false; reply: HttpErrorReply } => ({ ok: false, reply });

/** Bearer key, then the app's state (section 2.1). */
export function checkAuth(call: IncomingCall, ctx: FakeDifyContext): HttpErrorReply | undefined {
  const header = call.req.headers.authorization;
  // Python `split(None, 1)`: scheme, then everything after the first whitespace run.
  const m = header ? /^\s*(\S+)\s+([\s\S]*)$/.exec(header) : null;
  if (!m) return replies.json(401, "unauthorized", "Authorization header must be provided and start with 'Bearer'");
  if ((m[1] as string).toLowerCase() !== "bearer") return replies.json(401, "unauthorized", "Authorization scheme must be 'Bearer'");
  if (m[2] !== ctx.settings.apiKey) return replies.json(401, "unauthorized", "Access token is invalid");
  const access = ctx.settings.appAccess;
  if (access === "deleted") return replies.json(403, "forbidden", "The app no longer exists.");
  if (access === "abnormal") return replies.json(403, "forbidden", "The app's status is abnormal.");
  if (access === "api-disabled") return replies.json(403, "forbidden", "The app's API service has been disabled.");
  if (access === "archived") return replies.json(403, "forbidden", "The workspace's status is archived.");
  return undefined;
}

/** Flask's `request.get_json()`: 415 without the JSON content type, 400 for undecodable bodies, 500 for non-objects. */
export function readJsonObject(call: IncomingCall): Checked<Record<string, unknown>> {
  const mime = (call.req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (mime !== "application/json" && !/^application\/[^/]+\+json$/.test(mime)) {
    return fail(replies.json(415, "unsupported_media_type", "Did not attempt to load JSON data because the request Content-Type was not 'application/json'."));
  }
  if (call.record.json === undefined) {
    return fail(replies.json(400, "bad_request", "The browser (or proxy) sent a request that this server could not understand."));
  }
  const body = call.record.json;
  // Dify calls `.get` on the parsed body: an array or a scalar crashes into a 500.
  if (body === null || typeof body !== "object" || Array.isArray(body)) return fail(replies.unknownError());
  return { ok: true, value: body as Record<string, unknown> };
}

/** The `user` argument: required, numbers coerced with str(). */
export function userArg(value: unknown): Checked<string> {
  if (value === undefined || value === null || value === "" || value === false) return fail(replies.json(400, "invalid_param", "Arg user must be provided."));
  return { ok: true, value: String(value) };
}

export function invalid(ctx: FakeDifyContext, model: string, problem: FieldProblem, body: unknown): { ok: false; reply: HttpErrorReply } {
  return fail(validationError(ctx.settings.validationErrorStyle, model, problem, body));
}

/** `not_found`, with flask-restx's "did you mean" text when that switch is on. */
export function notFound(ctx: FakeDifyContext, call: IncomingCall, message: string): HttpErrorReply {
  return replies.json(404, "not_found", ctx.settings.notFoundHelpSuffix ? `${message}${notFoundHelpSuffix(call.path)}` : message);
}

export function isChatMode(mode: string): boolean {
  return mode === "chat" || mode === "agent-chat" || mode === "advanced-chat" || mode === "agent";
}

export const NOT_CHAT_APP = (): HttpErrorReply => replies.json(400, "not_chat_app", "Please check if your app mode matches the right API route.");

/** A feature switch from /parameters, e.g. `speech_to_text`. */
export function featureEnabled(parameters: Readonly<Record<string, unknown>>, key: string): boolean {
  const feature = parameters[key];
  return typeof feature === "object" && feature !== null && (feature as { enabled?: unknown }).enabled === true;
}
