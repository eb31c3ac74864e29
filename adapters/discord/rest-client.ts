import { DefaultRestOptions, type RateLimitData, REST, type RESTOptions, type ResponseLike } from "discord.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { DiscordBudgetSignals } from "./budget-signals.js";

export interface DiscordRestSettings {
  /** REST base without the version; undefined means Discord's own. */
  readonly apiUrl: string | undefined;
  /** Per-request timeout. @defaultValue 15_000 */
  readonly timeoutMs?: number;
  /** Where what the responses say about the budgets goes (see `DiscordBudgetSignals`). */
  readonly budgetSignals?: DiscordBudgetSignals;
}

/**
 * REST options shared by the standalone client and the gateway client.
 * - `rejectOnRateLimit`: @discordjs/rest would otherwise wait out a limit silently, holding edits back behind the
 *   model; rejecting lets the core pace and always send the latest text. Interaction callbacks are exempt: they
 *   must be answered within 3 s and Discord exempts them from the global limit anyway.
 * - `retries: 0`: the core's queue owns retries; hidden retries would multiply requests (and invalid ones).
 * - `makeRequest` wraps the default transport only to read the `x-ratelimit-*` headers of every response: they
 *   are logged and handed to the core's budgets (`budgetSignals`), so its pacing follows Discord's own counts.
 */
export function discordRestOptions(settings: DiscordRestSettings, logger: Logger): Partial<RESTOptions> {
  const observe = headerObserver(logger);
  return {
    ...(settings.apiUrl !== undefined && { api: settings.apiUrl }),
    retries: 0,
    timeout: settings.timeoutMs ?? 15_000,
    rejectOnRateLimit: (data: RateLimitData) => !data.route.startsWith("/interactions"),
    // Warn well before Discord's 10,000 invalid requests per 10 minutes turns into an IP ban.
    invalidRequestWarningInterval: 250,
    makeRequest: async (url, init) => {
      const response = await DefaultRestOptions.makeRequest(url, init);
      const method = init.method ?? "GET";
      observe(method, url, response);
      settings.budgetSignals?.response(method, url, response.status, response.headers);
      return response;
    },
  };
}

/** A REST client that works without any gateway connection (worker processes). */
export function createDiscordRest(token: string, settings: DiscordRestSettings, logger: Logger): REST {
  const rest = new REST(discordRestOptions(settings, logger)).setToken(token);
  observeRest(rest, logger, settings.budgetSignals);
  return rest;
}

/** Logs limits the client hits (and hands them to the budgets) and the invalid-request warnings. */
export function observeRest(rest: REST, logger: Logger, signals?: DiscordBudgetSignals): void {
  rest.on("rateLimited", (info) => {
    signals?.limited(info);
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

/**
 * What the headers teach: each bucket once (the core paces on its own budgets; a bucket that differs from them
 * is worth knowing) and every 429 actually received. Paths are logged with ids replaced, never with tokens.
 */
function headerObserver(logger: Logger): (method: string, url: string, response: ResponseLike) => void {
  const learned = new Map<string, string>();
  return (method, url, response) => {
    const route = `${method.toUpperCase()}:${routeForLog(url)}`;
    const bucket = response.headers.get("x-ratelimit-bucket");
    const limit = response.headers.get("x-ratelimit-limit");
    if (bucket && limit && learned.get(route) !== `${bucket}/${limit}` && learned.size < 1_000) {
      learned.set(route, `${bucket}/${limit}`);
      const resetAfter = response.headers.get("x-ratelimit-reset-after");
      logger.debug(
        { route, bucket, limit: Number(limit), resetAfterMs: resetAfter ? Math.round(Number(resetAfter) * 1000) : undefined },
        "discord rate-limit bucket learned",
      );
    }
    if (response.status === 429) {
      logger.warn(
        {
          route,
          scope: response.headers.get("x-ratelimit-scope") ?? "user",
          global: response.headers.has("x-ratelimit-global"),
          retryAfterS: Number(response.headers.get("retry-after") ?? "0"),
        },
        "discord answered 429",
      );
    }
  };
}

/**
 * "/api/v10/channels/123/messages/456" → "/channels/:id/messages/:id". Interaction and webhook tokens (follow-ups
 * go to /webhooks/<application>/<interaction token>) are dropped too: they are credentials for 15 minutes.
 */
export function routeForLog(url: string): string {
  const path = new URL(url).pathname.replace(/^.*?\/v\d+(?=\/)/, "");
  return path
    .replace(/^\/interactions\/[^/]+\/[^/]+/, "/interactions/:id/:token")
    .replace(/^\/webhooks\/[^/]+\/[^/]+/, "/webhooks/:id/:token")
    .replace(/\/\d{5,}(?=\/|$)/g, "/:id");
}
