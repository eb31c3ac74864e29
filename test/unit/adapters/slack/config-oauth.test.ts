import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseSlackConfig } from "../../../../adapters/slack/config.js";

const KEY = randomBytes(32).toString("base64");
const OAUTH = { SLACK_CLIENT_ID: "123.456", SLACK_CLIENT_SECRET: "s", SLACK_STATE_SECRET: "st", SLACK_TOKEN_KEY: KEY, SLACK_SIGNING_SECRET: "sig" };

describe("parseSlackConfig: OAuth installs", () => {
  it("turns Slack on without SLACK_BOT_TOKEN, with the decoded keys, first one first", () => {
    const second = randomBytes(32).toString("base64");
    const r = parseSlackConfig({ ...OAUTH, SLACK_TOKEN_KEY: `${KEY}, ${second}` });
    expect(r.ok).toBe(true);
    if (!r.ok || r.value === null) return;
    expect(r.value.botToken).toBeUndefined();
    expect(r.value.oauth?.clientId).toBe("123.456");
    expect(r.value.oauth?.tokenKeys.map((k) => k.toString("base64"))).toEqual([KEY, second]);
    expect(r.value.transport).toEqual({ kind: "http", signingSecret: "sig" });
  });

  it("lists every problem at once, never echoing a value", () => {
    const r = parseSlackConfig({ SLACK_CLIENT_ID: "123.456", SLACK_TOKEN_KEY: "c2hvcnQ=,not base64!", SLACK_BOT_TOKEN: "xoxb-1" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      expect.stringMatching(/^SLACK_CLIENT_SECRET: is required/),
      expect.stringMatching(/^SLACK_STATE_SECRET: is required/),
      expect.stringMatching(/^SLACK_TOKEN_KEY: key 1 is not 32 bytes/),
      expect.stringMatching(/^SLACK_TOKEN_KEY: key 2 is not 32 bytes/),
      expect.stringMatching(/^SLACK_BOT_TOKEN: unset it with SLACK_CLIENT_ID/),
      expect.stringMatching(/^SLACK_SIGNING_SECRET: is required with SLACK_CLIENT_ID/),
    ]);
    expect(r.issues.join("\n")).not.toContain("c2hvcnQ");
  });

  it("requires SLACK_TOKEN_KEY with SLACK_CLIENT_ID", () => {
    const { SLACK_TOKEN_KEY: _unused, ...rest } = OAUTH;
    const r = parseSlackConfig(rest);
    expect(r.ok ? [] : r.issues).toEqual([expect.stringMatching(/^SLACK_TOKEN_KEY: is required with SLACK_CLIENT_ID/)]);
  });
});
