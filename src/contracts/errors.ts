import type { PlatformId } from "./messages.js";

/**
 * Root of every error the bridge throws on purpose. `code` is stable and is what callers branch on;
 * messages are for logs only and never reach users (see `toUserText`).
 */
export abstract class BridgeError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type PlatformErrorCode =
  | "PLATFORM_RATE_LIMITED"
  | "PLATFORM_AUTH"
  | "PLATFORM_PERMISSION"
  | "PLATFORM_NOT_FOUND"
  | "PLATFORM_VALIDATION"
  | "PLATFORM_UNAVAILABLE";

/** An SDK error translated at the adapter boundary, so the core never sees Slack or Discord types. */
export class PlatformError extends BridgeError {
  readonly code: PlatformErrorCode = "PLATFORM_UNAVAILABLE";

  constructor(
    readonly platform: PlatformId,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A 429. `retryAfterMs` is what the platform asked for; `global` means every scope is blocked, not one bucket. */
export class PlatformRateLimitError extends PlatformError {
  override readonly code = "PLATFORM_RATE_LIMITED" as const;

  constructor(
    platform: PlatformId,
    readonly retryAfterMs: number,
    options?: { cause?: unknown; global?: boolean },
  ) {
    super(platform, `rate limited for ${retryAfterMs} ms`, options);
    this.global = options?.global ?? false;
  }

  readonly global: boolean;
}

export class PlatformAuthError extends PlatformError {
  override readonly code = "PLATFORM_AUTH" as const;
}

/** The bot lacks a permission or OAuth scope; `scope` names it so logs and users can be told what to grant. */
export class PlatformPermissionError extends PlatformError {
  override readonly code = "PLATFORM_PERMISSION" as const;

  constructor(
    platform: PlatformId,
    readonly action: string,
    readonly scope: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(platform, `missing permission for ${action}${scope ? ` (${scope})` : ""}`, options);
  }
}

export class PlatformNotFoundError extends PlatformError {
  override readonly code = "PLATFORM_NOT_FOUND" as const;
}

export type ValidationReason = "too_large" | "unsupported" | "blocked_host" | "not_a_file" | "too_long" | "invalid";

/** Bad input from or for the platform: a file too large, a URL on a host we do not trust, an HTML login page instead of a file. */
export class PlatformValidationError extends PlatformError {
  override readonly code = "PLATFORM_VALIDATION" as const;

  constructor(
    platform: PlatformId,
    readonly reason: ValidationReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(platform, message, options);
  }
}
