import { REST, type RateLimitData, type RESTOptions } from "discord.js";
import type { Logger } from "../../src/contracts/logger.js";

export interface DiscordRestSettings {
  /** REST base without the version; undefined means Discord's own. */
  readonly apiUrl: string | undefined;
  /** Per-request timeout. @defaultValue 15_000 */
  readonly timeoutMs?: number;
}

/**
 * REST options shared by the standalone client and the gateway client.
 * - `rejectOnRateLimit`: @discordjs/rest would otherwise wait out a limit silently, holding edits back behind the
 *   model; rejecting lets the core pace and always send the latest text. Interaction callbacks are exempt: they
 *   must be answered within 3 s and Discord exempts them from the global limit anyway.
 * - `retries: 0`: the core's queue owns retries; hidden retries would multiply requests (and invalid ones).
 */
export function discordRestOptions(settings: DiscordRestSettings): Partial<RESTOptions> {
  return {
    ...(settings.apiUrl !== undefined && { api: settings.apiUrl }),
    retries: 0,
    timeout: settings.timeoutMs ?? 15_000,
    rejectOnRateLimit: (data: RateLimitData) => !data.route.startsWith("/interactions"),
    // Warn well before Discord's 10,000 invalid requests per 10 minutes turns into an IP ban.
    invalidRequestWarningInterval: 250,
  };
}

/** A REST client that works without any gateway connection (worker processes). */
export function createDiscordRest(token: string, settings: DiscordRestSettings, logger: Logger): REST {
  const rest = new REST(discordRestOptions(settings)).setToken(token);
  observeRest(rest, logger);
  return rest;
}

/**
 * Logs what the `x-ratelimit-*` headers teach (the core paces on its own budgets; a bucket that differs from
 * them is worth knowing), every 429 actually received, and the invalid-request warnings.
 */
export function observeRest(rest: REST, logger: Logger): void {
  const learned = new Map<string, string>();
  rest.on("response", (request, response) => {
    const bucket = response.headers.get("x-ratelimit-bucket");
    const limit = response.headers.get("x-ratelimit-limit");
    const resetAfter = response.headers.get("x-ratelimit-reset-after");
    if (bucket && limit) {
      const key = `${request.method}:${request.route}`;
      const shape = `${bucket}/${limit}`;
      if (learned.get(key) !== shape && learned.size < 1_000) {
        learned.set(key, shape);
        logger.debug(
          { route: key, bucket, limit: Number(limit), resetAfterMs: resetAfter ? Math.round(Number(resetAfter) * 1000) : undefined },
          "discord rate-limit bucket learned",
        );
      }
    }
    if (response.status === 429) {
      logger.warn(
        {
          route: `${request.method}:${request.route}`,
          scope: response.headers.get("x-ratelimit-scope") ?? "user",
          global: response.headers.has("x-ratelimit-global"),
          retryAfterS: Number(response.headers.get("retry-after") ?? "0"),
        },
        "discord answered 429",
      );
    }
  });
  rest.on("rateLimited", (info) => {
    logger.debug(
      { route: `${info.method}:${info.route}`, global: info.global, retryAfterMs: Math.round(info.retryAfter), scope: info.scope },
      "discord request refused locally: rate limit reached",
    );
  });
  rest.on("invalidRequestWarning", (info) => {
    logger.warn(
      { invalidRequests: info.count, windowRemainingMs: info.remainingTime },
      "many invalid Discord requests (401/403/429); 10,000 in 10 minutes gets the IP banned",
    );
  });
}
