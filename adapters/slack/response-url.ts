import { createHash } from "node:crypto";
import { PlatformError, PlatformNotFoundError, PlatformRateLimitError, PlatformValidationError } from "../../src/contracts/errors.js";
import type { SlackBlock } from "./render.js";

/**
 * A slash command's or shortcut's `response_url`: a webhook that posts, replaces or deletes the messages
 * answering that one interaction, ephemeral ones included (docs.slack.dev "Handling user interaction":
 * "up to 5 times within 30 minutes"). Private answers go through it because chat.update cannot edit an
 * ephemeral message.
 */

/** The hint key carrying the webhook. Its name ends in "token" so the log scrubber never prints it. */
export const RESPONSE_URL_HINT = "responseUrlToken";

/** Slack's published use limit for one response_url. */
export const RESPONSE_URL_USES = { limit: 5, windowMs: 30 * 60_000 } as const;

const TIMEOUT_MS = 10_000;

/**
 * Only Slack's webhook host (or the host of SLACK_API_URL, when set) may receive a private answer: the URL
 * comes from a signed request, but a wrong host here would hand an answer to whoever runs it.
 */
export function isTrustedResponseUrl(raw: string, apiUrl: string, isCustomApiUrl: boolean): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === "https:" && url.hostname === "hooks.slack.com") return true;
  return isCustomApiUrl && url.origin === new URL(apiUrl).origin;
}

/** A short, stable name for one webhook (budget keys and logs never carry the URL itself). */
export function responseUrlId(url: string): string {
  return createHash("sha256").update(url).digest("hex").slice(0, 20);
}

export type ResponseUrlBody =
  | { readonly kind: "post"; readonly text: string; readonly blocks: readonly SlackBlock[]; readonly ephemeral: boolean }
  | { readonly kind: "replace"; readonly text: string; readonly blocks: readonly SlackBlock[] }
  | { readonly kind: "delete" };

function wireBody(body: ResponseUrlBody): Record<string, unknown> {
  switch (body.kind) {
    case "post":
      return { response_type: body.ephemeral ? "ephemeral" : "in_channel", replace_original: false, text: body.text, blocks: body.blocks };
    case "replace":
      return { replace_original: true, text: body.text, blocks: body.blocks };
    case "delete":
      return { delete_original: true };
  }
}

/**
 * Sends one message operation through the webhook. Slack answers 200 "ok" (or `{ok:true}`); an expired or used-up
 * URL is a 404 ("expired_url" / "used_url"), which no retry can fix.
 */
export async function sendToResponseUrl(url: string, body: ResponseUrlBody): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(wireBody(body)),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new PlatformError("slack", "response_url request failed", { cause: err });
  }
  const text = await res.text().catch(() => "");
  if (res.ok && !/"ok"\s*:\s*false/.test(text)) return;
  if (res.status === 429) throw new PlatformRateLimitError("slack", Number(res.headers.get("retry-after") ?? "1") * 1000);
  const reason = /"error"\s*:\s*"([a-z_]+)"/.exec(text)?.[1] ?? text.trim().slice(0, 40);
  if (res.status === 404 || reason === "expired_url" || reason === "used_url") {
    throw new PlatformNotFoundError("slack", `response_url no longer usable (${reason || res.status})`);
  }
  if (res.status >= 400 && res.status < 500)
    throw new PlatformValidationError("slack", "invalid", `response_url refused the message (${reason || res.status})`);
  throw new PlatformError("slack", `response_url answered ${res.status}`);
}
