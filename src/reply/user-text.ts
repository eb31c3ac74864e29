import { BridgeError, type PlatformError, PlatformPermissionError } from "../contracts/errors.js";
import type { DifyApiError, DifyStreamError } from "../dify/errors.js";

/**
 * What people see when something fails: one short line starting with ⚠️. Never the error's own message (it
 * may hold internals or secrets); always chosen from the stable error code.
 */
export const INTERRUPTED_TEXT = "⚠️ Interrupted: the bridge restarted while answering.";
export const STOPPED_TEXT = "⏹ Stopped";
export const PARTIAL_TEXT = "⚠️ Some steps of the assistant's workflow failed; this answer may be incomplete.";

/**
 * A Chatflow run that failed (`workflow_finished` status `failed`). Dify's `data.error` is the app's own
 * account of the failure (a node's message, "Model quota exceeded"), written for the app's users: it is
 * shown, cut to one short line.
 */
export function workflowFailedText(error: string | undefined): string {
  const reason = (error ?? "").replace(/\s+/g, " ").trim();
  if (!reason) return "⚠️ The assistant's workflow failed.";
  return `⚠️ The assistant's workflow failed: ${reason.length > 300 ? `${reason.slice(0, 299)}…` : reason}`;
}

export function toUserText(err: unknown): string {
  const code = err instanceof BridgeError ? err.code : "UNKNOWN";
  switch (code) {
    case "DIFY_FORBIDDEN":
      if ((err as DifyApiError).difyCode === "workflow_version_execution_not_allowed")
        return "⚠️ The assistant's Dify plan does not allow running this workflow version.";
      return "⚠️ The assistant is not available: its Dify API key or app access is misconfigured.";
    case "DIFY_UNAUTHORIZED":
      return "⚠️ The assistant is not available: its Dify API key or app access is misconfigured.";
    case "DIFY_QUOTA_EXCEEDED":
      return "⚠️ The assistant has reached its usage quota. Please try again later.";
    case "DIFY_CONCURRENCY_LIMITED":
      return "⚠️ The assistant is busy right now. Please try again in a moment.";
    case "DIFY_SERVER_ERROR":
      return "⚠️ The assistant ran into a server error. Please try again.";
    case "DIFY_CONNECTION":
      return "⚠️ The assistant cannot be reached right now. Please try again later.";
    case "DIFY_TIMEOUT":
      return "⚠️ The assistant stopped responding.";
    case "DIFY_STREAM_INCOMPLETE":
      return "⚠️ The answer was cut off: the connection to the assistant dropped.";
    case "DIFY_TOO_LARGE":
      return "⚠️ A file was too large for the assistant.";
    case "DIFY_UNSUPPORTED_MEDIA":
      return "⚠️ The assistant does not accept that kind of file.";
    case "DIFY_NOT_FOUND":
    case "DIFY_CONVERSATION_NOT_FOUND":
      return "⚠️ The assistant could not find this conversation. Please start a new thread.";
    case "DIFY_BAD_REQUEST":
      return badRequestText(err as DifyApiError);
    case "DIFY_STREAM_ERROR":
      return streamErrorText(err as DifyStreamError);
    case "DIFY_ABORTED":
      return INTERRUPTED_TEXT;
    case "DIFY_FATE_UNKNOWN":
      return "⚠️ The assistant may have received your question, but no answer reached me. I did not ask again (so it is not asked twice): use Retry to ask it again.";
    case "DIFY_NO_QUERY_INPUT":
      return "⚠️ The assistant's app has no text input to take the question. An admin can name one (DIFY_QUERY_INPUT).";
    default:
      return "⚠️ Something went wrong while answering. Please try again.";
  }
}

/** Told privately to the asker when the platform refuses the reply itself (no retry can help). */
export function cannotReplyText(err: PlatformError): string {
  switch (err.code) {
    case "PLATFORM_PERMISSION": {
      const scope = err instanceof PlatformPermissionError && err.scope ? ` (${err.scope})` : "";
      return `⚠️ I can't reply here: I'm missing a permission${scope}. Ask an admin to grant it.`;
    }
    case "PLATFORM_AUTH":
      return "⚠️ I can't reply here: my access to this workspace was revoked. Ask an admin to check the bot.";
    case "PLATFORM_NOT_FOUND":
      return "⚠️ I can't reply here: the conversation is gone or I can no longer see it.";
    default:
      return "⚠️ I can't reply here: the platform refused my message.";
  }
}

function badRequestText(err: DifyApiError): string {
  const msg = err.difyMessage ?? "";
  if (err.difyCode === "provider_not_initialize") return "⚠️ The assistant's model provider is not configured in Dify.";
  if (err.difyCode === "app_unavailable" || err.difyCode === "not_chat_app") return "⚠️ The assistant app is unavailable: check its configuration in Dify.";
  if (err.difyCode === "model_currently_not_support") return "⚠️ The assistant's model is not available on this Dify plan.";
  if (err.difyCode === "agent_not_published") return "⚠️ The assistant has no published version yet: publish the agent in Dify.";
  if (err.difyCode === "completion_request_error") return "⚠️ The AI model returned an error. Please try again.";
  if (/is required in input form|in input form must/.test(msg)) return "⚠️ The assistant needs input values that are not configured (DIFY_INPUTS).";
  if (/file/i.test(msg)) return "⚠️ The assistant could not use the attached file.";
  return "⚠️ The assistant could not handle this request.";
}

function streamErrorText(err: DifyStreamError): string {
  switch (err.difyCode) {
    case "provider_quota_exceeded":
      return "⚠️ The assistant's model quota is used up.";
    case "provider_not_initialize":
      return "⚠️ The assistant's model provider is not configured in Dify.";
    case "completion_request_error":
      return "⚠️ The AI model returned an error while answering.";
    case "model_currently_not_support":
      return "⚠️ The assistant's model is not available right now.";
    case "internal_server_error":
      return "⚠️ The assistant ran into a server error. Please try again.";
    case "invalid_param":
      return /^Run failed/i.test(err.difyMessage ?? "") ? "⚠️ The assistant's workflow failed." : "⚠️ The assistant could not handle this request.";
    default:
      return "⚠️ The assistant hit an error while answering.";
  }
}
