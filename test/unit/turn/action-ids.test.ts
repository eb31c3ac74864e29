import { describe, expect, it } from "vitest";
import { messageDedupeKey as discordMessageKey, interactionDedupeKey } from "../../../adapters/discord/ids.js";
import { actionDedupeKey, messageDedupeKey as slackMessageKey } from "../../../adapters/slack/ids.js";
import { jobIdFrom } from "../../../src/queue/job-types.js";
import { askActionId, parseActionId, retryActionId, stopActionId } from "../../../src/turn/action-ids.js";

/** Turn ids are job ids made from the adapters' dedupe keys. */
const TURN_IDS = [
  jobIdFrom(slackMessageKey("T0123ABCD", "C0123ABCDEF", "1712345678.123456")),
  jobIdFrom(actionDedupeKey("T0123ABCD", "7012345678.1234567890.abcdef0123456789abcdef0123456789", "U0ALICE01")),
  jobIdFrom(actionDedupeKey("E0123456789", "1712346400.000900", "W0123456789")),
  jobIdFrom(discordMessageKey("1310000000000000100")),
  jobIdFrom(interactionDedupeKey("1400000000000000123")),
];

describe("action ids", () => {
  it.each(TURN_IDS)("round-trip for turn %s", (turnId) => {
    expect(parseActionId(stopActionId(turnId))).toEqual({ kind: "stop", turnId });
    expect(parseActionId(retryActionId(turnId))).toEqual({ kind: "retry", turnId });
    for (const index of [0, 1, 4, 9]) expect(parseActionId(askActionId(turnId, index))).toEqual({ kind: "ask", turnId, index });
  });

  it.each(TURN_IDS)("fit Discord's 100-character custom_id for turn %s", (turnId) => {
    for (const id of [stopActionId(turnId), retryActionId(turnId), askActionId(turnId, 9)]) expect(id.length).toBeLessThanOrEqual(100);
  });

  it("are distinct per kind and per suggested question", () => {
    const turnId = TURN_IDS[0] as string;
    const ids = [stopActionId(turnId), retryActionId(turnId), askActionId(turnId, 0), askActionId(turnId, 1)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(stopActionId(turnId)).not.toBe(stopActionId(TURN_IDS[1] as string));
  });

  it.each([
    "",
    "stop",
    "db",
    "db|s",
    "db|s|",
    "xx|s|turn-1",
    "DB|s|turn-1",
    "db|x|turn-1",
    "db|q|turn-1",
    "db|q|turn-1|",
    "db|q|turn-1|-1",
    "db|q|turn-1|1.5",
    "db|q|turn-1|one",
    "feedback_like",
    "slack-action:T1:C1",
  ])("rejects the foreign id %j", (actionId) => {
    expect(parseActionId(actionId)).toBeNull();
  });
});
