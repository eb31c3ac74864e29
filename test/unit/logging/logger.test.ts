import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type BridgeLogger, createLogger } from "../../../src/logging/logger.js";

// biome-ignore lint/suspicious/noExplicitAny: a log line is arbitrary JSON, read here field by field.
type LogLine = Record<string, any>;

const DIFY_KEY = "app-Q1w2E3r4T5y6U7i8O9p0";
const SLACK_BOT = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
const SLACK_APP = "xapp-1-A0123456789-1234567890123-0123456789abcdef";
const SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543";
const DISCORD_TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab";
const SECRETS = [DIFY_KEY, SLACK_BOT, SLACK_APP, SIGNING_SECRET, DISCORD_TOKEN];

/** A real pino logger writing JSON lines into memory. */
function capture(level = "debug"): { log: BridgeLogger; lines: () => Record<string, unknown>[]; raw: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const log = createLogger({ level, pretty: false, secrets: [SIGNING_SECRET, DISCORD_TOKEN], service: "bridge-test", destination });
  return {
    log,
    raw: () => chunks.join(""),
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

function expectNoSecret(raw: string): void {
  for (const secret of SECRETS) expect(raw).not.toContain(secret);
}

describe("createLogger output", () => {
  it("writes structured JSON with level, time, service, fields and message", () => {
    const { log, lines } = capture();
    log.info({ jobId: "j1", usage: { totalTokens: 12, prompt_tokens: 3 } }, "reply done");
    expect(lines()).toEqual([
      { level: 30, time: expect.any(Number), service: "bridge-test", jobId: "j1", usage: { totalTokens: 12, prompt_tokens: 3 }, msg: "reply done" },
    ]);
  });

  it("drops records below the level", () => {
    const { log, lines } = capture("warn");
    log.info({}, "quiet");
    log.debug({}, "quieter");
    log.warn({}, "loud");
    expect(lines().map((l) => l.msg)).toEqual(["loud"]);
  });

  it("redacts secret keys at any depth, including inside arrays", () => {
    const { log, raw, lines } = capture();
    log.info(
      {
        token: SLACK_BOT,
        apiKey: DIFY_KEY,
        config: { slack: { signingSecret: SIGNING_SECRET, appToken: SLACK_APP }, discord: { bot_token: DISCORD_TOKEN } },
        deep: { a: { b: { c: { d: { e: [{ client_secret: "hunter2-long", password: "pa55word!" }] } } } } },
      },
      "settings",
    );
    expectNoSecret(raw());
    const line = lines()[0] as LogLine;
    expect(line.token).toBe("[redacted]");
    expect(line.apiKey).toBe("[redacted]");
    expect(line.config.slack).toEqual({ signingSecret: "[redacted]", appToken: "[redacted]" });
    expect(line.config.discord.bot_token).toBe("[redacted]");
    expect(line.deep.a.b.c.d.e[0]).toEqual({ client_secret: "[redacted]", password: "[redacted]" });
  });

  it("redacts authorization headers in objects, Headers instances and nested requests", () => {
    const { log, raw, lines } = capture();
    log.warn(
      {
        headers: { authorization: `Bearer ${DIFY_KEY}`, "content-type": "application/json" },
        request: { url: "https://api.dify.ai/v1/chat-messages", headers: new Headers({ Authorization: `Bot ${DISCORD_TOKEN}`, Accept: "text/event-stream" }) },
        upstream: { config: { headers: { Authorization: "Basic dXNlcjpwYXNzd29yZA==", Cookie: "session=abc123" } } },
      },
      "request failed",
    );
    expectNoSecret(raw());
    expect(raw()).not.toContain("dXNlcjpwYXNzd29yZA==");
    const line = lines()[0] as LogLine;
    expect(line.headers).toEqual({ authorization: "[redacted]", "content-type": "application/json" });
    expect(line.request.headers).toEqual({ authorization: "[redacted]", accept: "text/event-stream" });
    expect(line.upstream.config.headers).toEqual({ Authorization: "[redacted]", Cookie: "[redacted]" });
  });

  it("scrubs secrets inside free text: messages, values under innocent keys", () => {
    const { log, raw, lines } = capture();
    log.error(
      { detail: `slack said invalid_auth for ${SLACK_BOT}`, curl: `curl -H 'Authorization: Bearer ${DIFY_KEY}' …` },
      `cannot start with ${SIGNING_SECRET}`,
    );
    expectNoSecret(raw());
    const line = lines()[0] as LogLine;
    expect(line.msg).toBe("cannot start with [redacted]");
    expect(line.detail).toBe("slack said invalid_auth for [redacted]");
    expect(line.curl).toBe("curl -H 'Authorization: Bearer [redacted]' …");
  });

  it("scrubs error messages, stacks, own properties and causes", () => {
    const { log, raw, lines } = capture();
    const root = new Error(`socket hang up while using ${DISCORD_TOKEN}`);
    const err = Object.assign(new Error(`Dify rejected key ${DIFY_KEY}`, { cause: root }), {
      status: 401,
      config: { headers: { authorization: `Bearer ${DIFY_KEY}` } },
    });
    log.error({ err }, "dify call failed");
    expectNoSecret(raw());
    const e = (lines()[0] as LogLine).err;
    expect(e.type).toBe("Error");
    expect(e.message).toBe("Dify rejected key [redacted]");
    expect(e.stack).toContain("Dify rejected key [redacted]");
    expect(e.status).toBe(401);
    expect(e.config.headers.authorization).toBe("[redacted]");
    expect(e.cause.message).toBe("socket hang up while using [redacted]");
  });

  it("scrubs an Error logged directly, including pino's message taken from it", () => {
    const { log, raw, lines } = capture();
    log.error(new Error(`invalid key ${DIFY_KEY}`));
    expectNoSecret(raw());
    const line = lines()[0] as LogLine;
    expect(line.msg).toBe("invalid key [redacted]");
    expect(line.err.message).toBe("invalid key [redacted]");
  });

  it("scrubs child bindings, at any depth and across generations", () => {
    const { log, raw, lines } = capture();
    const child = log.child({ platform: "slack", auth: { botToken: SLACK_BOT }, note: `signing with ${SIGNING_SECRET}` });
    child.child({ apiKey: DIFY_KEY, jobId: "job-7" }).info({ step: "stream" }, "working");
    expectNoSecret(raw());
    expect(lines()[0]).toMatchObject({
      platform: "slack",
      auth: { botToken: "[redacted]" },
      note: "signing with [redacted]",
      apiKey: "[redacted]",
      jobId: "job-7",
      step: "stream",
      msg: "working",
    });
  });

  it("keeps non-secret look-alikes and summarises binary data", () => {
    const { log, lines } = capture();
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    log.info({ tokensUsed: 12, maxTokens: 100, tokenizer: "cl100k", file: new Uint8Array(2048), circular, at: new Date(0) }, "ok");
    expect(lines()[0]).toMatchObject({
      tokensUsed: 12,
      maxTokens: 100,
      tokenizer: "cl100k",
      file: "[2048 bytes]",
      circular: { name: "loop", self: "[circular]" },
      at: "1970-01-01T00:00:00.000Z",
    });
  });
});
