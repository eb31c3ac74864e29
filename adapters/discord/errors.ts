import { DiscordAPIError, HTTPError, RateLimitError } from "discord.js";
import {
  PlatformAuthError,
  PlatformError,
  PlatformNotFoundError,
  PlatformPermissionError,
  PlatformRateLimitError,
  PlatformValidationError,
} from "../../src/contracts/errors.js";
import { routeForLog } from "./rest-client.js";

/** What was being done when Discord said no, so errors can name the operation and the permission to grant. */
export interface DiscordOperation {
  readonly action: string;
  /** The permission this operation needs (see permissions.ts), named in PlatformPermissionError. */
  readonly permission?: string;
}

/** JSON error codes we branch on (discord-api-docs `topics/opcodes-and-status-codes.mdx`). */
export const DISCORD_ERROR = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  missingAccess: 50001,
  cannotSendEmptyMessage: 50006,
  missingPermissions: 50013,
  invalidFormBody: 50035,
  requestEntityTooLarge: 40005,
  /** Edits of messages older than one hour have their own, undocumented, limit. */
  oldMessageEditLimit: 30046,
  threadAlreadyCreated: 160004,
} as const;

/** Discord says "try again later" for 30046 without a number; a minute keeps the retry rate low. */
const OLD_MESSAGE_EDIT_RETRY_MS = 60_000;

/**
 * Any error from @discordjs/rest or discord.js → the PlatformError family, so the core never sees SDK types.
 * Messages carry the operation and Discord's code, never a token or URL.
 */
export function translateDiscordError(err: unknown, op: DiscordOperation): PlatformError {
  if (err instanceof PlatformError) return err;
  if (err instanceof RateLimitError) {
    const retryAfterMs = Math.max(0, Math.ceil(Math.max(err.retryAfter, err.sublimitTimeout || 0)));
    return new PlatformRateLimitError("discord", retryAfterMs, { cause: err, global: err.global });
  }
  if (err instanceof DiscordAPIError) return fromApiError(err, op);
  if (err instanceof HTTPError) {
    return new PlatformError("discord", `${op.action}: Discord answered HTTP ${err.status}`, { cause: err });
  }
  if (isTokenInvalid(err)) return new PlatformAuthError("discord", `${op.action}: the bot token was rejected`, { cause: err });
  const reason = err instanceof Error ? err.name : "unknown error";
  return new PlatformError("discord", `${op.action}: request failed (${reason})`, { cause: err });
}

function fromApiError(err: DiscordAPIError, op: DiscordOperation): PlatformError {
  const where = `${op.action}: Discord error ${err.code} (HTTP ${err.status})`;
  if (err.status === 429) {
    const body = err.rawError as { retry_after?: number; global?: boolean };
    const retryAfterMs = Math.ceil((body.retry_after ?? 1) * 1000);
    return new PlatformRateLimitError("discord", retryAfterMs, { cause: err, global: body.global === true });
  }
  if (err.code === DISCORD_ERROR.oldMessageEditLimit) {
    return new PlatformRateLimitError("discord", OLD_MESSAGE_EDIT_RETRY_MS, { cause: err });
  }
  if (err.status === 401) return new PlatformAuthError("discord", where, { cause: err });
  if (err.code === DISCORD_ERROR.missingAccess) {
    return new PlatformPermissionError("discord", op.action, "View Channel", { cause: err });
  }
  if (err.code === DISCORD_ERROR.missingPermissions || err.status === 403) {
    return new PlatformPermissionError("discord", op.action, op.permission, { cause: err });
  }
  if (err.code === DISCORD_ERROR.unknownChannel || err.code === DISCORD_ERROR.unknownMessage || err.status === 404) {
    return new PlatformNotFoundError("discord", where, { cause: err });
  }
  if (err.code === DISCORD_ERROR.requestEntityTooLarge || err.status === 413) {
    return new PlatformValidationError("discord", "too_large", where, { cause: err });
  }
  if (err.code === DISCORD_ERROR.invalidFormBody) {
    const tooLong = JSON.stringify(err.rawError).includes("BASE_TYPE_MAX_LENGTH");
    return new PlatformValidationError("discord", tooLong ? "too_long" : "invalid", where, { cause: err });
  }
  if (err.status >= 400 && err.status < 500) return new PlatformValidationError("discord", "invalid", where, { cause: err });
  return new PlatformError("discord", where, { cause: err });
}

function isTokenInvalid(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "TokenInvalid";
}

export function isDiscordErrorCode(err: unknown, code: number): boolean {
  return err instanceof DiscordAPIError && err.code === code;
}

/**
 * An error as it may be logged. @discordjs/rest errors keep the request URL, and for interaction callbacks and
 * follow-ups that URL holds the interaction token (a credential for 15 minutes) that no scrubber recognises:
 * they are logged with the route (ids and tokens replaced) instead, and so is a PlatformError caused by one.
 */
export function discordErrorForLog(err: unknown): unknown {
  if (err instanceof DiscordAPIError || err instanceof HTTPError || err instanceof RateLimitError) {
    return {
      type: err.name,
      message: err.message,
      method: err.method,
      route: safeRoute(err.url),
      ...(err instanceof DiscordAPIError && { code: err.code, status: err.status }),
      ...(err instanceof HTTPError && { status: err.status }),
      ...(err instanceof RateLimitError && { retryAfterMs: err.retryAfter, global: err.global }),
    };
  }
  if (err instanceof PlatformError && err.cause !== undefined) {
    return { type: err.name, code: err.code, message: err.message, cause: discordErrorForLog(err.cause) };
  }
  return err;
}

function safeRoute(url: string): string {
  try {
    return routeForLog(url);
  } catch {
    return "[unparsable url]";
  }
}
