import { isIP } from "node:net";
import { z } from "zod";
import { envBoolean, envEnum, envInt, envSecret, envUrl, optionalSecret, type ParseResult, parseWith } from "../contracts/config-schema.js";
import { BridgeError } from "../contracts/errors.js";
import { parseRedisUrl, type RedisTarget } from "./redis-url.js";

/** Bad or missing settings. `issues` lists every problem at once, one "VAR: problem" line each. */
export class ConfigError extends BridgeError {
  readonly code = "CONFIG_INVALID" as const;

  constructor(readonly issues: readonly string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
  }
}

const MAX_RATE_COUNT = 10_000;
const MAX_RATE_WINDOW_MS = 86_400_000;

const userRateLimit = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const raw = v === undefined || v.trim() === "" ? "10/60s" : v.trim();
    if (raw === "off" || raw === "0") return null;
    const m = /^(\d{1,9})\s*\/\s*(\d{1,9})\s*(ms|s|m|h)?$/.exec(raw);
    if (!m) {
      ctx.addIssue({ code: "custom", message: 'must look like "10/60s" (messages per window), or "off"' });
      return z.NEVER;
    }
    const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[3] ?? "s") as "ms" | "s" | "m" | "h"];
    const count = Number(m[1]);
    const windowMs = Number(m[2]) * unitMs;
    // Past these a limit means nothing (and the window outlives the counter's key in Redis).
    if (count < 1 || count > MAX_RATE_COUNT || windowMs < 1 || windowMs > MAX_RATE_WINDOW_MS) {
      ctx.addIssue({ code: "custom", message: `count must be 1-${MAX_RATE_COUNT} and the window 1 ms to 24 h` });
      return z.NEVER;
    }
    return { count, windowMs };
  });

const difyInputs = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return {};
    try {
      const parsed: unknown = JSON.parse(v);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      return parsed as Record<string, unknown>;
    } catch {
      ctx.addIssue({ code: "custom", message: 'must be a JSON object, e.g. {"language":"en"}' });
      return z.NEVER;
    }
  });

const coreSchema = z.object({
  DIFY_API_URL: envUrl("https://api.dify.ai/v1"),
  DIFY_API_KEY: envSecret(),
  /** Where Dify's signed file URLs point (Dify's FILES_URL) when that is not DIFY_API_URL's host. */
  DIFY_FILES_URL: envUrl(),
  REDIS_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const raw = v === undefined || v.trim() === "" ? "redis://127.0.0.1:6379" : v.trim();
      const parsed = parseRedisUrl(raw);
      if (parsed.ok) return { raw, target: parsed.target };
      for (const message of parsed.problems) ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }),
  REDIS_PREFIX: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const raw = v === undefined || v.trim() === "" ? "bridge" : v.trim();
      if (!/^[A-Za-z0-9_.-]{1,40}$/.test(raw)) {
        ctx.addIssue({ code: "custom", message: "must be 1-40 letters, digits, '.', '_' or '-'" });
        return z.NEVER;
      }
      return raw;
    }),
  PORT: envInt(3000, 0, 65_535),
  /** Set: /healthz, /readyz and /metrics move off PORT to this port (on METRICS_HOST), away from public traffic. */
  METRICS_PORT: envInt(undefined, 0, 65_535),
  METRICS_HOST: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const raw = v?.trim() ?? "";
      if (raw === "") return undefined;
      if (isIP(raw) === 0 && !/^[A-Za-z0-9.-]{1,253}$/.test(raw)) {
        ctx.addIssue({ code: "custom", message: "must be an IP address or a host name (e.g. 127.0.0.1)" });
        return z.NEVER;
      }
      return raw;
    }),
  // Enums go through envEnum: an empty variable (`LOG_LEVEL=` in .env or compose) means the default, as it
  // does for every other setting; before, it was refused as an invalid level.
  LOG_LEVEL: envEnum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], "info"),
  LOG_FORMAT: envEnum(["json", "pretty"]),
  NODE_ENV: z.string().optional(),
  BRIDGE_ROLE: envEnum(["all", "ingress", "worker"], "all"),
  USER_RATE_LIMIT: userRateLimit,
  DIFY_INPUTS: difyInputs,
  /**
   * The Dify input variable that receives what the person is looking at beside the app's pane (Slack AI app:
   * the channel, workspace and org of the assistant thread's context), as JSON. Sent only to apps whose
   * user_input_form declares it.
   */
  CONTEXT_INPUT: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const raw = v?.trim() ?? "";
      if (raw === "") return undefined;
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(raw)) {
        ctx.addIssue({ code: "custom", message: "must be a Dify variable name (letters, digits and _, not starting with a digit)" });
        return z.NEVER;
      }
      return raw;
    }),
  /** Workflow / Text Generator apps: the input variable that takes the question (unset: the app's first text input). */
  DIFY_QUERY_INPUT: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()))
    .refine((v) => v === undefined || /^[A-Za-z_][A-Za-z0-9_]*$/.test(v), "must be the name of one of the app's input variables"),
  /** Workflow apps: the output shown as the answer (unset: the streamed text, else the only text output). */
  DIFY_ANSWER_OUTPUT: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim())),
  SHOW_PROGRESS: envBoolean(true),
  SHOW_REASONING: envBoolean(false),
  SHUTDOWN_GRACE_MS: envInt(25_000, 0, 3_600_000),
  CONVERSATION_TTL_DAYS: envInt(30, 1, 3_650),
  WORKER_CONCURRENCY: envInt(1_000, 1, 100_000),
  /** A Dify stream that sends nothing (not even a ping, every ~10 s) for this long is treated as dead. */
  DIFY_IDLE_TIMEOUT_MS: envInt(45_000, 1_000, 3_600_000),
  /** Events of platforms that do not redeliver (Discord) held in memory while Redis is away; 0 holds none. */
  OUTAGE_BUFFER_EVENTS: envInt(500, 0, 100_000),
  /** A held event waits at most this long for Redis; then the person is told it could not be taken. */
  OUTAGE_BUFFER_WAIT_MS: envInt(120_000, 1_000, 3_600_000),
  /** How long a dead worker's job stays locked before another worker recovers it (src/queue/worker-locks.ts). */
  JOB_LOCK_MS: envInt(6_000, 1_000, 600_000),
  /** Turns on the operator console (/console) and the web playground; the one credential that opens them. */
  CONSOLE_TOKEN: optionalSecret().refine((v) => v === undefined || v.length >= 16, "must be at least 16 characters (e.g. openssl rand -hex 24)"),
  /** Lets the console's queue view retry and remove jobs (read-only otherwise). */
  CONSOLE_QUEUE_ACTIONS: envBoolean(false),
  /** YAML routes file: several Dify apps and which one answers where (src/routing/). Unset = the DIFY_* app only. */
  ROUTES_FILE: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim())),
});

/**
 * Every variable the core reads.
 * @internal Exported for the test that checks every variable is documented in .env.example.
 */
export const CORE_ENV_VARS: readonly string[] = Object.keys(coreSchema.shape);
/** The core variables that hold secrets (scrubbed from logs). */
export const CORE_SECRET_ENV_VARS: readonly string[] = ["DIFY_API_KEY", "CONSOLE_TOKEN"];

export interface CoreConfig {
  readonly dify: {
    readonly apiUrl: string;
    readonly apiKey: string;
    /** Produced files are fetched from DIFY_API_URL's origin and this one only. */
    readonly filesUrl: string | undefined;
    readonly inputs: Readonly<Record<string, unknown>>;
    /** CONTEXT_INPUT: the input variable for what the person views beside the app's pane. */
    readonly contextInput: string | undefined;
    readonly idleTimeoutMs: number;
    /** Workflow / Text Generator apps: where the question goes and which output is the answer. */
    readonly queryInput: string | undefined;
    readonly answerOutput: string | undefined;
  };
  readonly redisUrl: string;
  /** REDIS_URL read: one server, a Sentinel-managed primary, or a Cluster. */
  readonly redis: RedisTarget;
  /** Every Redis key (state and queue) starts with it; lets several bridges share one Redis. */
  readonly redisPrefix: string;
  readonly port: number;
  /** Where /healthz, /readyz and /metrics are served; unset: on `port`, next to the platforms' routes. */
  readonly ops: { readonly port: number; readonly host: string | undefined } | undefined;
  readonly log: { readonly level: string; readonly pretty: boolean };
  readonly role: "all" | "ingress" | "worker";
  readonly userRateLimit: { readonly count: number; readonly windowMs: number } | null;
  readonly showProgress: boolean;
  readonly showReasoning: boolean;
  readonly shutdownGraceMs: number;
  readonly conversationTtlMs: number;
  readonly workerConcurrency: number;
  readonly jobLockMs: number;
  /** Events held while Redis is away (src/ingress/outage-buffer.ts). */
  readonly outageBuffer: { readonly maxEvents: number; readonly maxWaitMs: number };
  /** The operator console: on when `token` is set. */
  readonly console: { readonly token: string | undefined; readonly queueActions: boolean };
  readonly routesFile: string | undefined;
}

/** Parses the core settings. Never throws: returns every issue so main.ts can report them with the adapters'. */
export function parseCoreConfig(env: Record<string, string | undefined>): ParseResult<CoreConfig> {
  const parsed = parseWith(coreSchema, env);
  if (!parsed.ok) return parsed;
  const v = parsed.value;
  const clashes = [
    ...(v.METRICS_HOST !== undefined && v.METRICS_PORT === undefined ? ["METRICS_HOST: needs METRICS_PORT"] : []),
    ...(v.METRICS_PORT !== undefined && v.METRICS_PORT !== 0 && v.METRICS_PORT === v.PORT ? ["METRICS_PORT: must differ from PORT"] : []),
  ];
  if (clashes.length > 0) return { ok: false, issues: clashes };
  return {
    ok: true,
    value: Object.freeze({
      dify: Object.freeze({
        apiUrl: v.DIFY_API_URL ?? "https://api.dify.ai/v1",
        apiKey: v.DIFY_API_KEY,
        filesUrl: v.DIFY_FILES_URL,
        inputs: Object.freeze(v.DIFY_INPUTS),
        contextInput: v.CONTEXT_INPUT,
        idleTimeoutMs: v.DIFY_IDLE_TIMEOUT_MS,
        queryInput: v.DIFY_QUERY_INPUT,
        answerOutput: v.DIFY_ANSWER_OUTPUT,
      }),
      redisUrl: v.REDIS_URL.raw,
      redis: v.REDIS_URL.target,
      redisPrefix: v.REDIS_PREFIX,
      port: v.PORT,
      ops: v.METRICS_PORT === undefined ? undefined : Object.freeze({ port: v.METRICS_PORT, host: v.METRICS_HOST }),
      log: Object.freeze({
        level: v.LOG_LEVEL,
        pretty: v.LOG_FORMAT ? v.LOG_FORMAT === "pretty" : v.NODE_ENV === "development",
      }),
      role: v.BRIDGE_ROLE,
      userRateLimit: v.USER_RATE_LIMIT,
      showProgress: v.SHOW_PROGRESS,
      showReasoning: v.SHOW_REASONING,
      shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
      conversationTtlMs: v.CONVERSATION_TTL_DAYS * 86_400_000,
      workerConcurrency: v.WORKER_CONCURRENCY,
      jobLockMs: v.JOB_LOCK_MS,
      outageBuffer: Object.freeze({ maxEvents: v.OUTAGE_BUFFER_EVENTS, maxWaitMs: v.OUTAGE_BUFFER_WAIT_MS }),
      console: Object.freeze({ token: v.CONSOLE_TOKEN, queueActions: v.CONSOLE_QUEUE_ACTIONS }),
      routesFile: v.ROUTES_FILE,
    }),
  };
}

/** Throws one ConfigError listing every issue from every parse result. */
export function collectConfig<T extends readonly ParseResult<unknown>[]>(...results: T): { [K in keyof T]: T[K] extends ParseResult<infer V> ? V : never } {
  const issues = results.flatMap((r) => (r.ok ? [] : r.issues));
  if (issues.length > 0) throw new ConfigError(issues);
  return results.map((r) => (r as { value: unknown }).value) as never;
}
