import { describe, expect, it } from "vitest";
import { DEFAULT_SLACK_API_URL, parseSlackConfig } from "../../../../adapters/slack/config.js";

const BOT = "xoxb-1234-5678-secretvalue";
const APP = "xapp-1-A1-9999-appsecretvalue";
const SECRET = "0123456789abcdef0123456789abcdef";

function issuesOf(env: Record<string, string | undefined>): string[] {
  const r = parseSlackConfig(env);
  if (r.ok) throw new Error("expected issues");
  return r.issues;
}

describe("parseSlackConfig", () => {
  it("is off (null) without SLACK_BOT_TOKEN", () => {
    expect(parseSlackConfig({})).toEqual({ ok: true, value: null });
    expect(parseSlackConfig({ SLACK_BOT_TOKEN: "  " })).toEqual({ ok: true, value: null });
  });

  it("reads the HTTP transport with defaults", () => {
    expect(parseSlackConfig({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET })).toEqual({
      ok: true,
      value: {
        botToken: BOT,
        transport: { kind: "http", signingSecret: SECRET },
        apiUrl: DEFAULT_SLACK_API_URL,
        isCustomApiUrl: false,
        allowedChannels: [],
        streaming: "auto",
        aiApp: true,
      },
    });
  });

  it("reads SLACK_AI_APP as a boolean and rejects anything else without echoing it", () => {
    const off = parseSlackConfig({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, SLACK_AI_APP: "false" });
    expect(off.ok && off.value?.aiApp).toBe(false);
    const bad = parseSlackConfig({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, SLACK_AI_APP: "maybe-secret" });
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).toContain("SLACK_AI_APP");
    expect(JSON.stringify(bad)).not.toContain("maybe-secret");
  });

  it("prefers Socket Mode when an app token is set, and reads the other settings", () => {
    const r = parseSlackConfig({
      SLACK_BOT_TOKEN: BOT,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_APP_TOKEN: APP,
      SLACK_API_URL: "http://127.0.0.1:9999/api/",
      SLACK_ALLOWED_CHANNELS: "C0123, G0456 ,,C0123",
      SLACK_STREAMING: "Edit",
    });
    expect(r).toMatchObject({
      ok: true,
      value: {
        transport: { kind: "socket", appToken: APP },
        apiUrl: "http://127.0.0.1:9999/api",
        isCustomApiUrl: true,
        allowedChannels: ["C0123", "G0456"],
        streaming: "edit",
      },
    });
  });

  it("needs a signing secret or an app token", () => {
    expect(issuesOf({ SLACK_BOT_TOKEN: BOT })).toEqual([expect.stringMatching(/^SLACK_SIGNING_SECRET: is required .*SLACK_APP_TOKEN/)]);
  });

  it("reports every problem at once, never echoing a value", () => {
    const env = {
      SLACK_BOT_TOKEN: "xoxp-user-token-value",
      SLACK_APP_TOKEN: "not-an-app-token-value ",
      SLACK_API_URL: "ftp://files.example.com",
      SLACK_ALLOWED_CHANNELS: "C0123,general",
      SLACK_STREAMING: "fast",
    };
    const issues = issuesOf(env);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SLACK_BOT_TOKEN: must be a bot token/),
        expect.stringMatching(/^SLACK_APP_TOKEN: has leading or trailing whitespace/),
        expect.stringMatching(/^SLACK_APP_TOKEN: must be an app-level token/),
        expect.stringMatching(/^SLACK_API_URL: must be an http\(s\) URL/),
        expect.stringMatching(/^SLACK_ALLOWED_CHANNELS: entry 2 is not a Slack channel id/),
        expect.stringMatching(/^SLACK_STREAMING: must be one of auto, edit, native/),
      ]),
    );
    const text = issues.join("\n");
    for (const value of ["xoxp-user-token-value", "not-an-app-token-value", "ftp://files.example.com", "general", "fast"]) {
      expect(text).not.toContain(value);
    }
  });

  it("flags Slack settings given without a bot token", () => {
    expect(issuesOf({ SLACK_APP_TOKEN: APP })).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN: is required when/)]);
  });
});
