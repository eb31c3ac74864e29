import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsoleStatus } from "../../../src/console/status-source.js";
import { createGate, replies, scripts, steps } from "../../fakes/dify/index.js";
import { slackTs } from "../../fakes/slack/index.js";
import { CONSOLE_TOKEN, ConsoleClient } from "../../support/console-client.js";
import { ANA, eventually, SlackE2E } from "../slack-e2e/slack-e2e-harness.js";

/** The first `status` event of the console's event stream. */
async function firstStatusEvent(origin: string, cookie: string): Promise<ConsoleStatus> {
  const ac = new AbortController();
  const res = await fetch(`${origin}/console/api/events`, { headers: { cookie }, signal: ac.signal });
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  expect(res.headers.get("cache-control")).toBe("no-store");
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      text += decoder.decode(value, { stream: true });
      const m = /event: status\ndata: (.*)\n\n/.exec(text);
      if (m?.[1]) return JSON.parse(m[1]) as ConsoleStatus;
    }
  } finally {
    ac.abort();
  }
}

describe("operator console: the status page's data", () => {
  let e: SlackE2E;
  let browser: ConsoleClient;

  beforeAll(async () => {
    e = await SlackE2E.start({ env: { CONSOLE_TOKEN }, slackEnv: { SLACK_ALLOWED_CHANNELS: "C0GENERAL,C0HELP", SLACK_STREAMING: "edit" } });
    browser = new ConsoleClient(`http://127.0.0.1:${e.h.bridge.httpPort}`);
    await browser.login();
  });
  afterAll(async () => e?.close());

  const status = () => browser.json<ConsoleStatus>("/console/api/status");

  it("a mention shows as an answer streaming now (platform, channel, updates), then as completed in the minute's count", async () => {
    const gate = createGate();
    e.dify.onChat(() => [steps.message("Streaming part one. "), steps.waitFor(gate), ...scripts.answer("Done.")]);
    const q = await e.mention({ channel: "C0HELP", text: "stream please" });
    const streaming = await eventually(async () => {
      const s = await status();
      const a = s.activity.streams.find((x) => x.channelId === "C0HELP");
      return a && a.updates >= 1 && a.firstTextMs !== undefined ? a : undefined;
    });
    expect(streaming).toMatchObject({ platform: "slack", workspaceId: e.slack.team.teamId });
    expect(Date.now() - streaming.receivedAt).toBeGreaterThanOrEqual(0);
    const live = await status();
    expect(live.dify).toMatchObject({ reachable: true, app: { mode: expect.any(String) } });
    expect(live.activity.budgets.some((b) => b.key.includes(e.slack.team.teamId))).toBe(true);

    gate.open();
    await e.waitForAnswer(q, /Done\./);
    const done = await eventually(async () => {
      const s = await status();
      return s.activity.streams.length === 0 && s.activity.minutes.some((m) => m.answers >= 1) ? s : undefined;
    });
    expect(done.activity.minutes).toHaveLength(60);
    expect(done.activity.minutes.filter((m) => m.firstTokenMs !== null).length).toBeGreaterThanOrEqual(1);
  });

  it("ignored events show their reason: a bot's message, a channel not allowed, a duplicate delivery", async () => {
    const base = e.slack.payloads;
    await e.send(base.envelope(base.message({ channel: "C0GENERAL", bot_id: "B0OTHER", subtype: "bot_message", text: `<@${e.botUserId}> hi`, ts: slackTs() })));
    await e.send(base.envelope(base.message({ channel: "C0RANDOM", user: ANA.id, text: `<@${e.botUserId}> hello`, ts: slackTs() })));
    await e.mention({ text: "said twice" });
    const dropped = await eventually(async () => {
      const d = (await status()).activity.dropped;
      const has = (reason: string) => d.some((x) => x.reason === reason);
      return has("bot_author") && has("channel_not_allowed") && has("duplicate") ? d : undefined;
    });
    expect(dropped.find((x) => x.reason === "channel_not_allowed")).toMatchObject({ platform: "slack", what: "message", channelId: "C0RANDOM" });
  });

  it("a failed answer is listed with what the user saw and the structured reason", async () => {
    // Quota errors are not retried: the failure shows at once.
    e.dify.onChat(() => replies.quotaExceeded());
    const q = await e.mention({ text: "this will fail" });
    await e.waitForAnswer(q, /usage quota/);
    const failure = await eventually(async () => (await status()).activity.failures.find((f) => f.code === "DIFY_QUOTA_EXCEEDED"));
    expect(failure).toMatchObject({
      platform: "slack",
      channelId: "C0GENERAL",
      userText: "⚠️ The assistant has reached its usage quota. Please try again later.",
    });
    expect(failure.reason).toContain("HTTP 429");
    expect(failure.reason).toContain("rate_limit_error");
  });

  it("the event stream sends the same status, live", async () => {
    const cookie = browser.sessionCookie as string;
    const event = await firstStatusEvent(browser.origin, cookie);
    expect(event.platforms.map((p) => p.id)).toEqual(["slack"]);
    expect(event.activity.failures.length).toBeGreaterThanOrEqual(1);
  });
});
