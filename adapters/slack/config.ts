import { z } from "zod";
import { envList, envUrl, optionalSecret, type ParseResult, parseWith } from "../../src/contracts/config-schema.js";

/**
 * Slack's own Web API base, used when SLACK_API_URL is unset.
 * @internal Exported so the config test pins the default.
 */
export const DEFAULT_SLACK_API_URL = "https://slack.com/api";

type SlackStreamingSetting = "auto" | "edit" | "native";

/** How events reach the bridge: Events API over HTTP (signed) or a Socket Mode WebSocket. */
type SlackTransport = { readonly kind: "http"; readonly signingSecret: string } | { readonly kind: "socket"; readonly appToken: string };

export interface SlackConfig {
  readonly botToken: string;
  readonly transport: SlackTransport;
  /** Web API base without a trailing slash, e.g. "https://slack.com/api". */
  readonly apiUrl: string;
  /** True when SLACK_API_URL was set: its host is then trusted for file downloads too. */
  readonly isCustomApiUrl: boolean;
  /** Channel ids the bot answers in; empty means every channel it is in. Direct messages are always allowed. */
  readonly allowedChannels: readonly string[];
  /** "edit" turns native streaming off; "auto"/"native" are handed to the core as the streaming mode. */
  readonly streaming: SlackStreamingSetting;
}

// Slack ids are upper-case: C… public, G… private/legacy group, D… direct message.
const CHANNEL_ID = /^[CGD][A-Z0-9]+$/;

const fieldSchema = z.object({
  SLACK_BOT_TOKEN: optionalSecret(),
  SLACK_SIGNING_SECRET: optionalSecret(),
  SLACK_APP_TOKEN: optionalSecret(),
  SLACK_API_URL: envUrl(),
  SLACK_ALLOWED_CHANNELS: envList(),
  SLACK_STREAMING: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const raw = (v ?? "").trim().toLowerCase();
      if (raw === "") return "auto" as const;
      if (raw === "auto" || raw === "edit" || raw === "native") return raw;
      ctx.addIssue({ code: "custom", message: "must be one of auto, edit, native" });
      return z.NEVER;
    }),
});

/** Every variable the Slack adapter reads. */
export const SLACK_ENV_VARS: readonly string[] = Object.keys(fieldSchema.shape);

const isSet = (v: string | undefined): v is string => v !== undefined && v.trim() !== "";

/**
 * Checks that span several variables. They run on the raw values (presence and prefixes only), so they are
 * reported together with the per-variable problems instead of after them.
 */
function crossFieldIssues(env: Record<string, string | undefined>): string[] {
  const issues: string[] = [];
  const bot = env.SLACK_BOT_TOKEN;
  const app = env.SLACK_APP_TOKEN;
  const secret = env.SLACK_SIGNING_SECRET;
  if (!isSet(bot)) {
    if (isSet(secret) || isSet(app)) {
      issues.push("SLACK_BOT_TOKEN: is required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set");
    }
    return issues;
  }
  if (!bot.trim().startsWith("xoxb-")) issues.push("SLACK_BOT_TOKEN: must be a bot token (starting with xoxb-)");
  if (isSet(app) && !app.trim().startsWith("xapp-")) {
    issues.push("SLACK_APP_TOKEN: must be an app-level token (starting with xapp-) with the connections:write scope");
  }
  if (!isSet(secret) && !isSet(app)) {
    issues.push(
      "SLACK_SIGNING_SECRET: is required with SLACK_BOT_TOKEN unless SLACK_APP_TOKEN is set " +
        "(the HTTP Events API needs the signing secret; Socket Mode needs the app token)",
    );
  }
  const channels = (env.SLACK_ALLOWED_CHANNELS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  channels.forEach((id, i) => {
    if (!CHANNEL_ID.test(id)) issues.push(`SLACK_ALLOWED_CHANNELS: entry ${i + 1} is not a Slack channel id (like C0123ABCD)`);
  });
  return issues;
}

/**
 * Reads the SLACK_* variables. Returns `null` when SLACK_BOT_TOKEN is unset (Slack is off), and every problem at
 * once otherwise. Messages name the variable and never echo its value. With both SLACK_APP_TOKEN and
 * SLACK_SIGNING_SECRET set, Socket Mode wins (the signing secret is then unused).
 */
export function parseSlackConfig(env: Record<string, string | undefined>): ParseResult<SlackConfig | null> {
  const parsed = parseWith(fieldSchema, env);
  const issues = [...(parsed.ok ? [] : parsed.issues), ...crossFieldIssues(env)];
  if (!parsed.ok || issues.length > 0) return { ok: false, issues };
  const v = parsed.value;
  if (v.SLACK_BOT_TOKEN === undefined) return { ok: true, value: null };
  const transport: SlackTransport =
    v.SLACK_APP_TOKEN !== undefined ? { kind: "socket", appToken: v.SLACK_APP_TOKEN } : { kind: "http", signingSecret: v.SLACK_SIGNING_SECRET as string };
  const config: SlackConfig = {
    botToken: v.SLACK_BOT_TOKEN,
    transport,
    apiUrl: v.SLACK_API_URL ?? DEFAULT_SLACK_API_URL,
    isCustomApiUrl: v.SLACK_API_URL !== undefined,
    allowedChannels: Object.freeze([...new Set(v.SLACK_ALLOWED_CHANNELS)]),
    streaming: v.SLACK_STREAMING,
  };
  return { ok: true, value: Object.freeze(config) };
}
