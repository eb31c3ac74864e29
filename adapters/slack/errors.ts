import { ErrorCode, type WebAPICallResult } from "@slack/web-api";
import {
  PlatformAuthError,
  PlatformError,
  PlatformNotFoundError,
  PlatformPermissionError,
  PlatformRateLimitError,
  PlatformValidationError,
  type ValidationReason,
} from "../../src/contracts/errors.js";

const AUTH = new Set([
  "not_authed",
  "invalid_auth",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "no_permission_token",
  "not_allowed_token_type",
  "team_access_not_granted",
]);
const NOT_FOUND = new Set(["channel_not_found", "message_not_found", "thread_not_found", "file_not_found", "user_not_found", "file_deleted"]);
const PERMISSION = new Set([
  "not_in_channel",
  "is_archived",
  "cant_update_message",
  "cant_delete_message",
  "edit_window_closed",
  "restricted_action",
  "restricted_action_read_only_channel",
  "restricted_action_thread_only_channel",
  "restricted_action_non_threadable_channel",
  "ekm_access_denied",
  "access_denied",
  "no_permission",
  "user_not_in_channel",
]);
const VALIDATION: Readonly<Record<string, ValidationReason>> = {
  msg_too_long: "too_long",
  msg_blocks_too_long: "too_long",
  markdown_text_too_long: "too_long",
  file_too_large: "too_large",
  file_uploads_disabled: "unsupported",
  no_text: "invalid",
  invalid_blocks: "invalid",
  invalid_blocks_format: "invalid",
  invalid_arguments: "invalid",
  invalid_arg_name: "invalid",
  invalid_array_arg: "invalid",
  invalid_form_data: "invalid",
  invalid_thread_ts: "invalid",
  too_many_attachments: "invalid",
  markdown_text_conflict: "invalid",
  streaming_state_conflict: "invalid",
  message_not_in_streaming_state: "invalid",
  message_not_owned_by_app: "invalid",
  stopped_by_user: "invalid",
  invalid_chunks: "invalid",
  missing_recipient_team_id: "invalid",
  missing_recipient_user_id: "invalid",
};
const RATE_LIMITED = new Set(["ratelimited", "rate_limited"]);

interface SlackErrorShape {
  code?: unknown;
  data?: WebAPICallResult & { error?: string; needed?: string };
  retryAfter?: unknown;
  statusCode?: unknown;
}

/**
 * Turns whatever @slack/web-api threw into the PlatformError family, so the core only ever branches on our
 * codes. `method` (e.g. "chat.update") goes into the message and the permission's `action`. Slack error
 * payloads never hold the token, and the message is built from codes only.
 * @internal Exported for its unit test.
 */
export function translateSlackError(err: unknown, method: string): PlatformError {
  if (err instanceof PlatformError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as SlackErrorShape;
  switch (e.code) {
    case ErrorCode.RateLimitedError: {
      const seconds = typeof e.retryAfter === "number" && e.retryAfter >= 0 ? e.retryAfter : 1;
      return new PlatformRateLimitError("slack", Math.max(1, seconds) * 1000, { cause: err });
    }
    case ErrorCode.PlatformError:
      return fromPlatformError(e.data?.error ?? "unknown_error", method, e.data, err);
    case ErrorCode.HTTPError:
      return new PlatformError("slack", `${method}: HTTP ${String(e.statusCode)}`, { cause: err });
    case ErrorCode.RequestError:
      return new PlatformError("slack", `${method}: request failed`, { cause: err });
    default:
      return new PlatformError("slack", `${method}: ${err instanceof Error ? err.name : "unknown error"}`, { cause: err });
  }
}

function fromPlatformError(code: string, method: string, data: (WebAPICallResult & { needed?: string }) | undefined, cause: unknown): PlatformError {
  if (RATE_LIMITED.has(code)) {
    const seconds = data?.response_metadata?.retryAfter;
    return new PlatformRateLimitError("slack", (typeof seconds === "number" && seconds > 0 ? seconds : 1) * 1000, { cause });
  }
  if (code === "missing_scope") return new PlatformPermissionError("slack", method, data?.needed, { cause });
  if (AUTH.has(code)) return new PlatformAuthError("slack", `${method}: ${code}`, { cause });
  if (NOT_FOUND.has(code)) return new PlatformNotFoundError("slack", `${method}: ${code}`, { cause });
  if (PERMISSION.has(code)) return new PlatformPermissionError("slack", `${method} (${code})`, undefined, { cause });
  const reason = VALIDATION[code];
  if (reason !== undefined) return new PlatformValidationError("slack", reason, `${method}: ${code}`, { cause });
  return new PlatformError("slack", `${method}: ${code}`, { cause });
}

/** Runs one Web API call and translates its failure. */
export async function callSlack<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw translateSlackError(err, method);
  }
}
