import { UnrecoverableError } from "bullmq";
import type { PlatformError } from "../contracts/errors.js";

/**
 * A turn that no retry can save (the platform refuses the reply: a missing permission, a revoked token, a
 * channel that is gone). BullMQ moves it straight to failed instead of running it again; the worker's `failed`
 * handler writes its one log line, with the platform error as `cause`.
 */
export class PermanentTurnError extends UnrecoverableError {
  readonly code: string;

  constructor(
    readonly platformError: PlatformError,
    /** Whether the asker was told (privately, where the platform allows it). */
    readonly userNotified: boolean,
  ) {
    super(`${platformError.code}: ${platformError.message}`);
    this.code = platformError.code;
    this.cause = platformError;
  }
}
