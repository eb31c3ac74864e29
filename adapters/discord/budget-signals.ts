import type { BudgetSignal, BudgetSignalListener } from "../../src/contracts/chat-platform.js";
import { channelBudgetKey, GLOBAL_BUDGET_KEY } from "./capabilities.js";

/** Header values as both discord.js's `ResponseLike` and undici's `Headers` give them. */
interface HeaderSource {
  get(name: string): string | null;
  has(name: string): boolean;
}

/** "/api/v10/channels/123/messages(/456)" → "123": the routes that spend a channel's message budget. */
const CHANNEL_MESSAGES = /\/channels\/(\d+)\/messages(?:\/\d+)?$/;

/** The channel whose message budget a request to `url` with `method` spends, if any. */
function messageChannelOf(method: string, url: string): string | undefined {
  const m = /^(POST|PATCH)$/i.test(method) ? CHANNEL_MESSAGES.exec(new URL(url).pathname) : null;
  return m?.[1];
}

function seconds(value: string | null): number | undefined {
  if (value === null || value === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.ceil(n * 1000) : undefined;
}

/**
 * One relay per platform for what Discord's answers say about the budgets the core paces on (see
 * `BudgetSignal`): listeners come from the core, signals from every REST client of the adapter (worker and
 * gateway alike). A listener that throws never breaks a request.
 */
export class DiscordBudgetSignals {
  readonly #listeners: BudgetSignalListener[] = [];

  listen(listener: BudgetSignalListener): void {
    this.#listeners.push(listener);
  }

  /**
   * A response: the message routes' bucket headers (limit, remaining, reset-after) feed the channel's budget; a
   * 429 blocks the channel's budget or, when `x-ratelimit-global` says so, the bot-wide one, for `Retry-After`.
   */
  response(method: string, url: string, status: number, headers: HeaderSource): void {
    if (this.#listeners.length === 0) return;
    const channelId = messageChannelOf(method, url);
    if (status === 429) {
      const retryAfterMs = seconds(headers.get("retry-after")) ?? seconds(headers.get("x-ratelimit-reset-after")) ?? 1_000;
      if (headers.has("x-ratelimit-global")) this.#emit({ key: GLOBAL_BUDGET_KEY, retryAfterMs });
      else if (channelId !== undefined) this.#emit({ key: channelBudgetKey(channelId), retryAfterMs });
      return;
    }
    if (channelId === undefined || !headers.has("x-ratelimit-bucket")) return;
    const limit = Number(headers.get("x-ratelimit-limit"));
    const remaining = Number(headers.get("x-ratelimit-remaining"));
    const resetAfterMs = seconds(headers.get("x-ratelimit-reset-after"));
    this.#emit({
      key: channelBudgetKey(channelId),
      ...(Number.isInteger(limit) && limit > 0 && { limit }),
      ...(Number.isInteger(remaining) && remaining >= 0 && { remaining }),
      ...(resetAfterMs !== undefined && { resetAfterMs }),
    });
  }

  /**
   * discord.js hit a limit (`rateLimited`: a 429, or a request it holds back itself, knowing from earlier headers
   * that the bucket is spent): the budget waits as long as the client would have.
   */
  limited(info: {
    readonly global: boolean;
    readonly method: string;
    readonly url: string;
    readonly retryAfter: number;
    readonly sublimitTimeout: number;
  }): void {
    const retryAfterMs = Math.max(1, Math.ceil(Math.max(info.retryAfter, info.sublimitTimeout || 0)));
    const channelId = messageChannelOf(info.method, info.url);
    if (info.global) this.#emit({ key: GLOBAL_BUDGET_KEY, retryAfterMs });
    else if (channelId !== undefined) this.#emit({ key: channelBudgetKey(channelId), retryAfterMs });
  }

  #emit(signal: BudgetSignal): void {
    for (const listener of this.#listeners) {
      try {
        listener(signal);
      } catch {
        // The budgets learn on a best-effort basis; the request itself already has its answer.
      }
    }
  }
}
