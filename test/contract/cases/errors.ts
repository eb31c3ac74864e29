import { describe, expect, it } from "vitest";
import {
  PlatformAuthError,
  type PlatformError,
  PlatformNotFoundError,
  PlatformPermissionError,
  PlatformRateLimitError,
  PlatformValidationError,
} from "../../../src/contracts/errors.js";
import type { RigAccess } from "../chat-platform.contract.js";
import { type ContractSubject, isAbsent, type Refusal } from "../contract-rig.js";

const EXPECTED: ReadonlyArray<[Refusal, abstract new (...args: never[]) => PlatformError]> = [
  ["permission", PlatformPermissionError],
  ["not_found", PlatformNotFoundError],
  ["validation", PlatformValidationError],
  ["auth", PlatformAuthError],
];

/** Retry-After headers carry whole seconds and SDKs add a small margin: the wait may grow by up to that much. */
const WAIT_ROUNDING_MS = 1_100;

export function errorCases(subject: ContractSubject, rig: RigAccess): void {
  describe("errors", () => {
    for (const [refusal, type] of EXPECTED) {
      it(`a refused edit (${refusal}) surfaces as ${type.name}, the message unchanged`, async () => {
        const r = rig();
        const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "before" });
        r.refuseNextEdit(refusal);
        const err = await r.platform.editMessage(ref, { markdown: "after" }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(type);
        expect(err).toMatchObject({ platform: r.platform.id });
        expect((await r.seen(ref))?.text).toBe("before");
      });
    }

    if (!isAbsent(subject.deleteMessage)) {
      it("editing a message that was deleted surfaces as PlatformNotFoundError", async () => {
        const r = rig();
        const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "gone soon" });
        await r.platform.deleteMessage?.(ref);
        await expect(r.platform.editMessage(ref, { markdown: "too late" })).rejects.toBeInstanceOf(PlatformNotFoundError);
      });
    }

    it("a 429 surfaces as PlatformRateLimitError carrying the wait the platform asked for, without a retry", async () => {
      const r = rig();
      const ref = await r.platform.postMessage(r.question.replyTarget, { markdown: "before" });
      const askedMs = 2_500;
      r.rateLimitNextEdit(askedMs);
      const calls = r.serverCalls();
      const err = await r.platform.editMessage(ref, { markdown: "after" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlatformRateLimitError);
      const { retryAfterMs } = err as PlatformRateLimitError;
      expect(retryAfterMs).toBeGreaterThanOrEqual(askedMs);
      expect(retryAfterMs).toBeLessThanOrEqual(askedMs + WAIT_ROUNDING_MS);
      expect(r.serverCalls()).toBe(calls + 1);
      expect((await r.seen(ref))?.text).toBe("before");
    });
  });
}
