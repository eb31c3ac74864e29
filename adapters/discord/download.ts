import { lookup } from "node:dns/promises";
import { PlatformError, PlatformNotFoundError, PlatformValidationError } from "../../src/contracts/errors.js";
import type { InboundAttachment } from "../../src/contracts/messages.js";
import { checkAttachmentUrl, isPrivateAddress } from "./download-policy.js";

export interface DownloadSettings {
  /** DISCORD_API_URL, whose host is trusted as a file host too. */
  readonly trustedApiUrl: string | undefined;
  /** Resolves a host name to its addresses. @defaultValue node:dns lookup (all addresses) */
  readonly resolveHost?: (host: string) => Promise<readonly string[]>;
  /** Gives up on a stalled CDN. @defaultValue 60_000 */
  readonly timeoutMs?: number;
}

const MAX_REDIRECTS = 3;

const defaultResolve = async (host: string): Promise<readonly string[]> => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Fetches an attachment from Discord's CDN. No Authorization header is ever sent (CDN URLs are signed), every
 * redirect hop is checked against the same host rules, and the body is counted while it streams so a lying or
 * missing Content-Length cannot push us past `maxBytes`. Signed URLs expire: callers download right away.
 */
export async function downloadAttachment(
  att: InboundAttachment,
  opts: { signal: AbortSignal; maxBytes: number },
  settings: DownloadSettings,
): Promise<Uint8Array> {
  if (att.sizeBytes > opts.maxBytes) throw tooLarge(att, opts.maxBytes);
  const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(settings.timeoutMs ?? 60_000)]);
  let current = att.ref;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const url = await vetUrl(current, settings);
    let res: Response;
    try {
      res = await fetch(url, { redirect: "manual", signal });
    } catch (err) {
      throw new PlatformError("discord", `attachment download failed (${err instanceof Error ? err.name : "error"})`, { cause: err });
    }
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      current = new URL(location, url).toString();
      continue;
    }
    return await readBody(res, att, opts.maxBytes);
  }
  throw new PlatformValidationError("discord", "blocked_host", "attachment download: too many redirects");
}

async function vetUrl(raw: string, settings: DownloadSettings): Promise<URL> {
  const verdict = checkAttachmentUrl(raw, settings.trustedApiUrl);
  if (!verdict.ok) throw new PlatformValidationError("discord", "blocked_host", `attachment download refused: ${verdict.why}`);
  if (verdict.checkAddress) {
    let addresses: readonly string[];
    try {
      addresses = await (settings.resolveHost ?? defaultResolve)(verdict.url.hostname);
    } catch (err) {
      throw new PlatformError("discord", "attachment download: host did not resolve", { cause: err });
    }
    if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
      throw new PlatformValidationError("discord", "blocked_host", "attachment download refused: host resolves to a private address");
    }
  }
  return verdict.url;
}

async function readBody(res: Response, att: InboundAttachment, maxBytes: number): Promise<Uint8Array> {
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel();
    throw new PlatformNotFoundError("discord", `attachment download: HTTP ${res.status} (the signed URL may have expired)`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new PlatformError("discord", `attachment download: HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge(att, maxBytes);
  }
  const type = res.headers.get("content-type") ?? "";
  if (type.startsWith("text/html") && !att.mimeType.startsWith("text/html")) {
    await res.body?.cancel();
    throw new PlatformValidationError("discord", "not_a_file", "attachment download returned an HTML page instead of the file");
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body?.getReader();
  if (reader) {
    for (;;) {
      let step: Awaited<ReturnType<typeof reader.read>>;
      try {
        step = await reader.read();
      } catch (err) {
        // Aborted by the caller's signal or the timeout, or the connection dropped mid-file.
        throw new PlatformError("discord", `attachment download interrupted (${err instanceof Error ? err.name : "error"})`, { cause: err });
      }
      if (step.done) break;
      total += step.value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw tooLarge(att, maxBytes);
      }
      chunks.push(step.value);
    }
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function tooLarge(att: InboundAttachment, maxBytes: number): PlatformValidationError {
  return new PlatformValidationError("discord", "too_large", `attachment ${att.id} is larger than ${maxBytes} bytes`);
}
