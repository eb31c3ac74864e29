/**
 * Removes secrets from anything about to be logged, at any depth. pino's `redact` only takes fixed paths (no
 * recursive wildcard) and never looks inside strings, but a token can hide in a nested SDK error's request
 * headers or in an error message ("invalid token xoxb-..."), so every log record goes through this walk.
 */

const REDACTED = "[redacted]";

/** Keys whose values are always secret, wherever they appear. */
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-slack-signature|token|bot_?token|app_?token|access_?token|refresh_?token|api_?key|apikey|secret|signing_?secret|client_?secret|password|passwd)$|(_|-)?(token|secret|api_?key|password)$/i;

/** Shapes of credentials we may meet inside free text. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\bxox[abposr]-[A-Za-z0-9-]{6,}/g, // Slack bot/user/app tokens
  /\bxapp-[A-Za-z0-9-]{6,}/g, // Slack app-level tokens
  /\bapp-[A-Za-z0-9]{16,}/g, // Dify app API keys
  /\b(Bearer|Bot)\s+[A-Za-z0-9._~+/=-]{8,}/g, // Authorization header values
  /\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}\b/g, // Discord bot tokens
];

export interface Scrubber {
  scrubString(s: string): string;
  scrub(value: unknown): unknown;
}

export function createScrubber(knownSecrets: readonly string[] = []): Scrubber {
  // Longest first, so a secret that contains another is replaced whole.
  const secrets = [...new Set(knownSecrets.filter((s) => s.length >= 6))].sort((a, b) => b.length - a.length);

  function scrubString(s: string): string {
    let out = s;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    for (const pattern of SECRET_PATTERNS)
      out = out.replace(pattern, (m) => (m.startsWith("Bearer") || m.startsWith("Bot") ? `${m.split(/\s+/)[0]} ${REDACTED}` : REDACTED));
    return out;
  }

  function scrub(value: unknown, seen = new WeakSet<object>(), depth = 0): unknown {
    if (typeof value === "string") return scrubString(value);
    if (value === null || typeof value !== "object") return value;
    if (depth > 12) return "[too deep]";
    if (seen.has(value)) return "[circular]";
    seen.add(value);
    if (value instanceof Error) return scrubError(value, seen, depth);
    if (Array.isArray(value)) return value.map((v) => scrub(v, seen, depth + 1));
    if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
    if (value instanceof Date) return value;
    if (value instanceof Map) return scrub(Object.fromEntries(value), seen, depth + 1);
    if (typeof (value as { entries?: unknown }).entries === "function" && value.constructor?.name === "Headers") {
      return scrub(Object.fromEntries((value as Headers).entries()), seen, depth + 1);
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && v !== undefined && v !== null && v !== "" ? REDACTED : scrub(v, seen, depth + 1);
    }
    return out;
  }

  function scrubError(err: Error, seen: WeakSet<object>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {
      type: err.name || err.constructor?.name,
      message: scrubString(err.message),
    };
    if (err.stack) out.stack = scrubString(err.stack);
    for (const [key, v] of Object.entries(err)) {
      if (key === "message" || key === "stack") continue;
      out[key] = SECRET_KEY.test(key) && v ? REDACTED : scrub(v, seen, depth + 1);
    }
    if (err.cause !== undefined) out.cause = scrub(err.cause, seen, depth + 1);
    return out;
  }

  return { scrubString, scrub: (v) => scrub(v) };
}
