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

/**
 * Slack's OAuth install flow (SLACK_CLIENT_ID …): installations in the core's vault, one per workspace, each
 * answered with its own bot token. Unset: the one SLACK_BOT_TOKEN serves its one workspace.
 */
export interface SlackOAuthConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Signs the install flow's `state` (CSRF protection, Bolt's ClearStateStore). */
  readonly stateSecret: string;
  /** SLACK_TOKEN_KEY: 32-byte AES keys, the first seals new records, every one opens (key rotation). */
  readonly tokenKeys: readonly Buffer[];
  /** SLACK_OAUTH_REDIRECT_URL: sent as `redirect_uri`; unset = the Redirect URL configured in the app. */
  readonly redirectUri?: string;
}

export interface SlackConfig {
  /** The one bot token; undefined with OAuth installs (`oauth`), where every workspace has its own. */
  readonly botToken?: string;
  readonly oauth?: SlackOAuthConfig;
  readonly transport: SlackTransport;
  /** Web API base without a trailing slash, e.g. "https://slack.com/api". */
  readonly apiUrl: string;
  /** True when SLACK_API_URL was set: its host is then trusted for file downloads too. */
  readonly isCustomApiUrl: boolean;
  /** Channel ids the bot answers in; empty means every channel it is in. Direct messages are always allowed. */
  readonly allowedChannels: readonly string[];
  /** "edit" turns native streaming off; "auto"/"native" are handed to the core as the streaming mode. */
  readonly streaming: SlackStreamingSetting;
  /**
   * SLACK_AI_APP: the app is declared as an agent (manifest `agent_view`), so the thread's status line, agent
   * sessions (Slack's own Stop), suggested prompts and feedback buttons are used. Default on.
   */
  readonly aiApp: boolean;
}

// Slack ids are upper-case: C… public, G… private/legacy group, D… direct message.
const CHANNEL_ID = /^[CGD][A-Z0-9]+$/;

const fieldSchema = z.object({
  SLACK_BOT_TOKEN: optionalSecret(),
  SLACK_CLIENT_ID: optionalSecret(),
  SLACK_CLIENT_SECRET: optionalSecret(),
  SLACK_STATE_SECRET: optionalSecret(),
  SLACK_TOKEN_KEY: optionalSecret(),
  SLACK_OAUTH_REDIRECT_URL: envUrl(),
  SLACK_SIGNING_SECRET: optionalSecret(),
  SLACK_APP_TOKEN: optionalSecret(),
  SLACK_API_URL: envUrl(),
  SLACK_ALLOWED_CHANNELS: envList(),
  SLACK_AI_APP: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const raw = (v ?? "").trim().toLowerCase();
      if (raw === "" || raw === "true" || raw === "1" || raw === "yes") return true;
      if (raw === "false" || raw === "0" || raw === "no") return false;
      ctx.addIssue({ code: "custom", message: "must be true or false" });
      return z.NEVER;
    }),
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

/** SLACK_TOKEN_KEY's comma-separated keys, decoded; entries that are not 32 bytes of base64 are reported by position. */
function decodeTokenKeys(raw: string): { keys: Buffer[]; issues: string[] } {
  const entries = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const issues: string[] = [];
  const keys = entries.map((entry, i) => {
    const key = Buffer.from(entry, "base64");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(entry) || key.length !== 32) {
      issues.push(`SLACK_TOKEN_KEY: key ${i + 1} is not 32 bytes of base64 (make one with: openssl rand -base64 32)`);
    }
    return key;
  });
  if (entries.length === 0) issues.push("SLACK_TOKEN_KEY: is required with SLACK_CLIENT_ID (32 bytes, base64)");
  return { keys, issues };
}

/** The OAuth variables: all four together, and not next to SLACK_BOT_TOKEN (one way of getting tokens at a time). */
function oauthIssues(env: Record<string, string | undefined>): string[] {
  const names = ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET", "SLACK_TOKEN_KEY"] as const;
  const anySet = names.some((n) => isSet(env[n]));
  if (!anySet) return [];
  const issues: string[] = [];
  for (const n of names) {
    if (n !== "SLACK_TOKEN_KEY" && !isSet(env[n]))
      issues.push(`${n}: is required for Slack OAuth installs (set with ${names.filter((m) => m !== n).join(", ")})`);
  }
  if (isSet(env.SLACK_TOKEN_KEY) || isSet(env.SLACK_CLIENT_ID)) issues.push(...decodeTokenKeys(env.SLACK_TOKEN_KEY ?? "").issues);
  if (isSet(env.SLACK_BOT_TOKEN)) {
    issues.push("SLACK_BOT_TOKEN: unset it with SLACK_CLIENT_ID: OAuth installs give every workspace its own token (see README, moving to OAuth)");
  }
  if (!isSet(env.SLACK_SIGNING_SECRET) && !isSet(env.SLACK_APP_TOKEN)) {
    issues.push("SLACK_SIGNING_SECRET: is required with SLACK_CLIENT_ID unless SLACK_APP_TOKEN is set (Events API over HTTP, or Socket Mode)");
  }
  if (isSet(env.SLACK_APP_TOKEN) && !env.SLACK_APP_TOKEN.trim().startsWith("xapp-")) {
    issues.push("SLACK_APP_TOKEN: must be an app-level token (starting with xapp-) with the connections:write scope");
  }
  return issues;
}

/**
 * Checks that span several variables. They run on the raw values (presence and prefixes only), so they are
 * reported together with the per-variable problems instead of after them.
 */
function crossFieldIssues(env: Record<string, string | undefined>): string[] {
  const issues: string[] = [];
  const bot = env.SLACK_BOT_TOKEN;
  const app = env.SLACK_APP_TOKEN;
  const secret = env.SLACK_SIGNING_SECRET;
  if (isSet(env.SLACK_CLIENT_ID) || isSet(env.SLACK_CLIENT_SECRET) || isSet(env.SLACK_STATE_SECRET) || isSet(env.SLACK_TOKEN_KEY)) {
    return [...oauthIssues(env), ...channelIssues(env)];
  }
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
  return [...issues, ...channelIssues(env)];
}

function channelIssues(env: Record<string, string | undefined>): string[] {
  const channels = (env.SLACK_ALLOWED_CHANNELS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return channels.flatMap((id, i) => (CHANNEL_ID.test(id) ? [] : [`SLACK_ALLOWED_CHANNELS: entry ${i + 1} is not a Slack channel id (like C0123ABCD)`]));
}

/**
 * Reads the SLACK_* variables. Returns `null` when neither SLACK_BOT_TOKEN nor SLACK_CLIENT_ID is set (Slack is
 * off), and every problem at once otherwise. Messages name the variable and never echo its value. With both SLACK_APP_TOKEN and
 * SLACK_SIGNING_SECRET set, Socket Mode wins (the signing secret is then unused).
 */
export function parseSlackConfig(env: Record<string, string | undefined>): ParseResult<SlackConfig | null> {
  const parsed = parseWith(fieldSchema, env);
  const issues = [...(parsed.ok ? [] : parsed.issues), ...crossFieldIssues(env)];
  if (!parsed.ok || issues.length > 0) return { ok: false, issues };
  const v = parsed.value;
  if (v.SLACK_BOT_TOKEN === undefined && v.SLACK_CLIENT_ID === undefined) return { ok: true, value: null };
  const transport: SlackTransport =
    v.SLACK_APP_TOKEN !== undefined ? { kind: "socket", appToken: v.SLACK_APP_TOKEN } : { kind: "http", signingSecret: v.SLACK_SIGNING_SECRET as string };
  const oauth: SlackOAuthConfig | undefined =
    v.SLACK_CLIENT_ID === undefined
      ? undefined
      : Object.freeze({
          clientId: v.SLACK_CLIENT_ID,
          clientSecret: v.SLACK_CLIENT_SECRET as string,
          stateSecret: v.SLACK_STATE_SECRET as string,
          tokenKeys: Object.freeze(decodeTokenKeys(v.SLACK_TOKEN_KEY ?? "").keys),
          ...(v.SLACK_OAUTH_REDIRECT_URL !== undefined ? { redirectUri: v.SLACK_OAUTH_REDIRECT_URL } : {}),
        });
  const config: SlackConfig = {
    ...(v.SLACK_BOT_TOKEN !== undefined ? { botToken: v.SLACK_BOT_TOKEN } : {}),
    ...(oauth ? { oauth } : {}),
    transport,
    apiUrl: v.SLACK_API_URL ?? DEFAULT_SLACK_API_URL,
    isCustomApiUrl: v.SLACK_API_URL !== undefined,
    allowedChannels: Object.freeze([...new Set(v.SLACK_ALLOWED_CHANNELS)]),
    streaming: v.SLACK_STREAMING,
    aiApp: v.SLACK_AI_APP,
  };
  return { ok: true, value: Object.freeze(config) };
}
