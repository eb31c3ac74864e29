import { describe, expect, it } from "vitest";
import { PlatformError, PlatformNotFoundError, PlatformPermissionError } from "../../../src/contracts/errors.js";
import { MUST_LAND_ATTEMPTS } from "../../../src/gateway/retry-table.js";
import type { ReplyOperation } from "../../../src/reply/next-operation.js";
import { FINAL_RETRY_MS, judgeUpdateFailure } from "../../../src/reply/update-failure.js";

const content = { markdown: "text" };
const routineEdit: ReplyOperation = { kind: "edit", index: 0, content, routine: true, showsText: true };
const finalEdit: ReplyOperation = { kind: "edit", index: 0, content, routine: false, showsText: true };
const outage = new PlatformError("slack", "HTTP 503");
const once = { failuresInARow: 1, isFinal: false };

describe("judgeUpdateFailure", () => {
  it("falls back from native streaming when a stream cannot start or has ended", () => {
    expect(judgeUpdateFailure({ kind: "nativeStart", content }, outage, once)).toBe("nativeRefused");
    expect(judgeUpdateFailure({ kind: "append", index: 0, delta: "x", content }, outage, once)).toBe("streamGone");
    expect(judgeUpdateFailure({ kind: "nativeStop", index: 0, content }, outage, once)).toBe("streamGone");
  });

  it("posts a deleted message again", () => {
    expect(judgeUpdateFailure(routineEdit, new PlatformNotFoundError("slack", "message_not_found"), once)).toBe("repost");
  });

  it("gives up at once on a permanent error, and on a must-land update only after its tries", () => {
    expect(judgeUpdateFailure(routineEdit, new PlatformPermissionError("slack", "chat.update", undefined), once)).toBe("giveUp");
    const firstText: ReplyOperation = { kind: "post", index: 1, content, routine: false, showsText: true };
    expect(judgeUpdateFailure(firstText, outage, { failuresInARow: MUST_LAND_ATTEMPTS - 1, isFinal: false })).toBe("retry");
    expect(judgeUpdateFailure(firstText, outage, { failuresInARow: MUST_LAND_ATTEMPTS, isFinal: false })).toBe("giveUp");
    // The final text: retried through an outage however many tries it takes, for FINAL_RETRY_MS.
    expect(judgeUpdateFailure(finalEdit, outage, { failuresInARow: 40, isFinal: true, finalForMs: FINAL_RETRY_MS - 1 })).toBe("retry");
    expect(judgeUpdateFailure(finalEdit, outage, { failuresInARow: 41, isFinal: true, finalForMs: FINAL_RETRY_MS })).toBe("giveUp");
    expect(judgeUpdateFailure(finalEdit, new PlatformPermissionError("slack", "chat.update", undefined), { failuresInARow: 1, isFinal: true })).toBe("giveUp");
    // A routine update is superseded by the next one: it is never given up on for transient failures.
    expect(judgeUpdateFailure(routineEdit, outage, { failuresInARow: 50, isFinal: false })).toBe("retry");
  });
});
