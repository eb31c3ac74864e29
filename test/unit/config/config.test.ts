import { describe, expect, it } from "vitest";
import { ConfigError, type CoreConfig, collectConfig, parseCoreConfig } from "../../../src/config/config.js";
import { BridgeError } from "../../../src/contracts/errors.js";

const KEY = "app-9f8e7d6c5b4a3f2e1d0c";
const base = { DIFY_API_KEY: KEY };

function issuesOf(env: Record<string, string | undefined>): string[] {
  const r = parseCoreConfig(env);
  if (r.ok) throw new Error("expected problems");
  return r.issues;
}

function configOf(env: Record<string, string | undefined>): CoreConfig {
  const r = parseCoreConfig(env);
  if (!r.ok) throw new Error(r.issues.join("; "));
  return r.value;
}

describe("parseCoreConfig", () => {
  it("needs only the Dify key and fills in documented defaults", () => {
    expect(configOf(base)).toEqual({
      dify: { apiUrl: "https://api.dify.ai/v1", apiKey: KEY, filesUrl: undefined, inputs: {}, idleTimeoutMs: 45_000 },
      redisUrl: "redis://127.0.0.1:6379",
      redis: { kind: "standalone", url: "redis://127.0.0.1:6379" },
      redisPrefix: "bridge",
      port: 3000,
      ops: undefined,
      log: { level: "info", pretty: false },
      role: "all",
      userRateLimit: { count: 10, windowMs: 60_000 },
      showProgress: true,
      showReasoning: false,
      shutdownGraceMs: 25_000,
      conversationTtlMs: 30 * 86_400_000,
      workerConcurrency: 1_000,
      jobLockMs: 6_000,
      outageBuffer: { maxEvents: 500, maxWaitMs: 120_000 },
      console: { token: undefined, queueActions: false },
    });
  });

  it("returns frozen settings", () => {
    const config = configOf(base);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.dify)).toBe(true);
    expect(Object.isFrozen(config.dify.inputs)).toBe(true);
  });

  it("reads every variable", () => {
    const config = configOf({
      ...base,
      DIFY_API_URL: "https://dify.internal.example.com/v1/",
      DIFY_FILES_URL: "https://files.dify.internal.example.com/",
      REDIS_URL: "rediss://cache.example.com:6380/2",
      PORT: "8080",
      LOG_LEVEL: "DEBUG",
      LOG_FORMAT: "pretty",
      BRIDGE_ROLE: "worker",
      USER_RATE_LIMIT: "5 / 2m",
      DIFY_INPUTS: '{"language":"de"}',
      SHOW_PROGRESS: "off",
      SHOW_REASONING: " TRUE ",
      SHUTDOWN_GRACE_MS: "1000",
      CONVERSATION_TTL_DAYS: "7",
      WORKER_CONCURRENCY: "50",
      DIFY_IDLE_TIMEOUT_MS: "30000",
      JOB_LOCK_MS: "15000",
    });
    expect(config).toMatchObject({
      dify: {
        apiUrl: "https://dify.internal.example.com/v1",
        filesUrl: "https://files.dify.internal.example.com",
        inputs: { language: "de" },
        idleTimeoutMs: 30_000,
      },
      redisUrl: "rediss://cache.example.com:6380/2",
      port: 8080,
      log: { level: "debug", pretty: true },
      role: "worker",
      userRateLimit: { count: 5, windowMs: 120_000 },
      showProgress: false,
      showReasoning: true,
      shutdownGraceMs: 1000,
      conversationTtlMs: 7 * 86_400_000,
      workerConcurrency: 50,
      jobLockMs: 15_000,
    });
  });

  it("treats empty variables as unset (as `VAR=` in .env or compose leaves them)", () => {
    const empties = [
      "DIFY_API_URL",
      "REDIS_URL",
      "PORT",
      "LOG_LEVEL",
      "LOG_FORMAT",
      "BRIDGE_ROLE",
      "USER_RATE_LIMIT",
      "DIFY_INPUTS",
      "SHOW_PROGRESS",
      "WORKER_CONCURRENCY",
    ];
    expect(configOf({ ...base, ...Object.fromEntries(empties.map((k) => [k, ""])) })).toEqual(configOf(base));
  });

  it("moves health and metrics to METRICS_PORT on METRICS_HOST", () => {
    expect(configOf({ ...base, METRICS_PORT: "9100", METRICS_HOST: "127.0.0.1" }).ops).toEqual({ port: 9100, host: "127.0.0.1" });
    expect(configOf({ ...base, METRICS_PORT: "9100" }).ops).toEqual({ port: 9100, host: undefined });
  });

  it("switches the per-user rate limit off", () => {
    expect(configOf({ ...base, USER_RATE_LIMIT: "off" }).userRateLimit).toBeNull();
    expect(configOf({ ...base, USER_RATE_LIMIT: "0" }).userRateLimit).toBeNull();
  });

  it("derives pretty logs from NODE_ENV unless LOG_FORMAT says otherwise", () => {
    expect(configOf({ ...base, NODE_ENV: "development" }).log.pretty).toBe(true);
    expect(configOf({ ...base, NODE_ENV: "development", LOG_FORMAT: "json" }).log.pretty).toBe(false);
  });

  const invalid: ReadonlyArray<[string, string | undefined, string]> = [
    ["DIFY_API_KEY", undefined, "DIFY_API_KEY: is required"],
    ["DIFY_API_KEY", "   ", "DIFY_API_KEY: is required"],
    ["DIFY_API_KEY", `${KEY} `, "DIFY_API_KEY: has leading or trailing whitespace"],
    ["DIFY_API_URL", "dify.example.com/v1", "DIFY_API_URL: must be an http(s) URL"],
    ["DIFY_API_URL", "ftp://dify.example.com/v1", "DIFY_API_URL: must be an http(s) URL"],
    [
      "REDIS_URL",
      "http://127.0.0.1:6379",
      "REDIS_URL: must be a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL (e.g. redis+sentinel://host1:26379,host2:26379/mymaster)",
    ],
    ["REDIS_URL", "redis+cluster://127.0.0.1:7000/3", "REDIS_URL: a Redis Cluster has only database 0: remove the path"],
    ["PORT", "http", "PORT: must be a whole number from 0 to 65535"],
    ["PORT", "70000", "PORT: must be a whole number from 0 to 65535"],
    // Number() reads all of these as integers; none is how anyone writes a port.
    ["PORT", "1e3", "PORT: must be a whole number from 0 to 65535"],
    ["PORT", "0x50", "PORT: must be a whole number from 0 to 65535"],
    ["PORT", "80.0", "PORT: must be a whole number from 0 to 65535"],
    ["PORT", "+80", "PORT: must be a whole number from 0 to 65535"],
    ["METRICS_PORT", "9e3", "METRICS_PORT: must be a whole number from 0 to 65535"],
    ["METRICS_PORT", "3000", "METRICS_PORT: must differ from PORT"],
    ["METRICS_HOST", "127.0.0.1", "METRICS_HOST: needs METRICS_PORT"],
    ["LOG_LEVEL", "verbose", "LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent"],
    ["LOG_FORMAT", "xml", "LOG_FORMAT: must be one of json, pretty"],
    ["BRIDGE_ROLE", "both", "BRIDGE_ROLE: must be one of all, ingress, worker"],
    ["USER_RATE_LIMIT", "ten per minute", 'USER_RATE_LIMIT: must look like "10/60s" (messages per window), or "off"'],
    ["USER_RATE_LIMIT", "0/60s", "USER_RATE_LIMIT: count must be 1-10000 and the window 1 ms to 24 h"],
    ["USER_RATE_LIMIT", "99999999999999999999/60s", 'USER_RATE_LIMIT: must look like "10/60s" (messages per window), or "off"'],
    ["USER_RATE_LIMIT", "100000/60s", "USER_RATE_LIMIT: count must be 1-10000 and the window 1 ms to 24 h"],
    ["USER_RATE_LIMIT", "10/25h", "USER_RATE_LIMIT: count must be 1-10000 and the window 1 ms to 24 h"],
    ["DIFY_INPUTS", "language=de", 'DIFY_INPUTS: must be a JSON object, e.g. {"language":"en"}'],
    ["DIFY_INPUTS", "[1,2]", 'DIFY_INPUTS: must be a JSON object, e.g. {"language":"en"}'],
    ["SHOW_PROGRESS", "sometimes", "SHOW_PROGRESS: must be true or false (or 1/0, yes/no, on/off)"],
    ["SHOW_REASONING", "2", "SHOW_REASONING: must be true or false (or 1/0, yes/no, on/off)"],
    ["SHUTDOWN_GRACE_MS", "-1", "SHUTDOWN_GRACE_MS: must be a whole number from 0 to 3600000"],
    ["CONVERSATION_TTL_DAYS", "0", "CONVERSATION_TTL_DAYS: must be a whole number from 1 to 3650"],
    ["CONVERSATION_TTL_DAYS", "1e9", "CONVERSATION_TTL_DAYS: must be a whole number from 1 to 3650"],
    ["WORKER_CONCURRENCY", "1.5", "WORKER_CONCURRENCY: must be a whole number from 1 to 100000"],
    ["DIFY_IDLE_TIMEOUT_MS", "500", "DIFY_IDLE_TIMEOUT_MS: must be a whole number from 1000 to 3600000"],
    ["JOB_LOCK_MS", "soon", "JOB_LOCK_MS: must be a whole number from 1000 to 600000"],
  ];

  it.each(invalid)("%s=%j is reported", (name, value, expected) => {
    expect(issuesOf({ ...base, [name]: value })).toEqual([expected]);
  });
});

describe("collectConfig", () => {
  it("lists every problem at once in one ConfigError", () => {
    const env = { DIFY_API_URL: "nope", PORT: "x", LOG_LEVEL: "loud", DIFY_INPUTS: "{", WORKER_CONCURRENCY: "0" };
    let caught: unknown;
    try {
      collectConfig(parseCoreConfig(env));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toBeInstanceOf(BridgeError);
    const err = caught as ConfigError;
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.name).toBe("ConfigError");
    expect(err.issues.map((i) => i.split(":")[0])).toEqual(["DIFY_API_URL", "DIFY_API_KEY", "PORT", "LOG_LEVEL", "DIFY_INPUTS", "WORKER_CONCURRENCY"]);
    expect(err.message.split("\n")).toHaveLength(1 + err.issues.length);
  });

  it("merges the issues of several parse results (core and adapters)", () => {
    const adapter = { ok: false as const, issues: ["SLACK_BOT_TOKEN: is required"] };
    expect(() => collectConfig(parseCoreConfig({}), adapter)).toThrow(/DIFY_API_KEY: is required\n {2}- SLACK_BOT_TOKEN: is required/);
  });

  it("returns the values when every result is valid", () => {
    const [core, extra] = collectConfig(parseCoreConfig(base), { ok: true as const, value: 7 });
    expect(core.dify.apiKey).toBe(KEY);
    expect(extra).toBe(7);
  });

  it("never echoes a value, secret or not, in the error", () => {
    const secret = "app-TOPSECRET0123456789";
    const env = {
      DIFY_API_KEY: ` ${secret}`,
      DIFY_API_URL: `https://${secret}@`,
      REDIS_URL: `http://:${secret}@redis:6379`,
      LOG_LEVEL: secret,
      BRIDGE_ROLE: secret,
      PORT: secret,
      USER_RATE_LIMIT: secret,
      DIFY_INPUTS: `{"key":"${secret}"`,
      SHOW_PROGRESS: secret,
    };
    let message = "";
    try {
      collectConfig(parseCoreConfig(env));
    } catch (err) {
      message = `${(err as Error).message}\n${(err as ConfigError).issues.join("\n")}\n${JSON.stringify(err)}`;
    }
    expect(message).toContain("DIFY_API_KEY: has leading or trailing whitespace");
    expect(message.split("\n").filter((l) => l.startsWith("  - "))).toHaveLength(9);
    expect(message).not.toContain("TOPSECRET");
  });
});
