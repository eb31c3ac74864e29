import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

const COOKIE = "bridge_console";

/** What a request to the console may do. */
export type AuthVerdict =
  /** A Bearer token or the session cookie: serve it. */
  | { readonly kind: "allowed" }
  /** A valid `?token=`: set the session cookie and send the browser to the same address without the token. */
  | { readonly kind: "login"; readonly location: string; readonly cookie: string }
  | { readonly kind: "denied" };

const digest = (s: string) => createHash("sha256").update(s).digest();
/** Equal-time comparison of two strings of any length (their digests have one length). */
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

/**
 * CONSOLE_TOKEN as the one credential of the console. A script sends it as `Authorization: Bearer …`; a person
 * opens `…?token=…` once, which sets an HttpOnly session cookie and redirects to the address without the token,
 * so it stays out of the history, the address bar and any Referer. The cookie holds an HMAC of the token, never
 * the token: a copied cookie opens the console but does not reveal CONSOLE_TOKEN, and changing the token ends
 * every session.
 */
export class ConsoleAuth {
  private readonly session: string;

  constructor(private readonly token: string) {
    this.session = createHmac("sha256", token).update("dify-bridge console session").digest("base64url");
  }

  judge(req: IncomingMessage, url: URL): AuthVerdict {
    const auth = req.headers.authorization ?? "";
    if (auth.startsWith("Bearer ") && same(auth.slice(7).trim(), this.token)) return { kind: "allowed" };
    const query = url.searchParams.get("token");
    if (query !== null && same(query, this.token)) {
      const clean = new URL(url);
      clean.searchParams.delete("token");
      return { kind: "login", location: `${clean.pathname}${clean.search}`, cookie: this.cookie(req) };
    }
    const cookie = cookieOf(req, COOKIE);
    if (cookie !== undefined && same(cookie, this.session)) return { kind: "allowed" };
    return { kind: "denied" };
  }

  /** Secure when the browser reached the bridge over HTTPS (directly or through the team's proxy). */
  private cookie(req: IncomingMessage): string {
    const https = (req.socket as { encrypted?: boolean }).encrypted === true || req.headers["x-forwarded-proto"] === "https";
    return `${COOKIE}=${this.session}; Path=/console; HttpOnly; SameSite=Strict${https ? "; Secure" : ""}`;
  }
}
