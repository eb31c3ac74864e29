import type { Normalized } from "../../../adapters/shared/normalized.js";

/** The value a normalizer kept; fails the test with the reason when it was ignored. */
export function value<T>(result: Normalized<T>): T {
  if (result.kind !== "kept") throw new Error(`expected a value, got ignored: ${result.reason}`);
  return result.value;
}

/** Why a normalizer dropped the event, or "kept". */
export const reasonOf = (result: Normalized<unknown>): string => (result.kind === "ignored" ? result.reason : "kept");
