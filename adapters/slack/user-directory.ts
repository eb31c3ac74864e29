import type { WebClient } from "@slack/web-api";
import { PlatformPermissionError } from "../../src/contracts/errors.js";
import type { Logger } from "../../src/contracts/logger.js";
import { callSlack } from "./errors.js";

const MISS_TTL_MS = 5 * 60_000;

export interface UserDirectoryOptions {
  /** Names change rarely; an hour keeps users.info calls to a trickle. @defaultValue 3_600_000 */
  readonly ttlMs?: number;
  /** The lookup runs before the event is acknowledged: never wait longer than this. @defaultValue 1_500 */
  readonly timeoutMs?: number;
  /** Bound on cached entries. @defaultValue 5_000 */
  readonly maxEntries?: number;
}

/** Display names by user id via users.info, cached. Any failure just leaves the id in place. */
export interface UserDirectory {
  namesOf(userIds: readonly string[]): Promise<Record<string, string>>;
}

export function createUserDirectory(client: WebClient, logger: Logger, options: UserDirectoryOptions = {}): UserDirectory {
  const ttlMs = options.ttlMs ?? 3_600_000;
  const timeoutMs = options.timeoutMs ?? 1_500;
  const maxEntries = options.maxEntries ?? 5_000;
  const cache = new Map<string, { name: string | undefined; expiresAt: number }>();
  const inFlight = new Map<string, Promise<string | undefined>>();
  let isDisabled = false;

  function remember(userId: string, name: string | undefined, forMs: number): void {
    // Oldest first out: Map keeps insertion order.
    if (!cache.has(userId) && cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    cache.set(userId, { name, expiresAt: Date.now() + forMs });
  }

  async function fetchName(userId: string): Promise<string | undefined> {
    try {
      const res = await callSlack("users.info", () => client.users.info({ user: userId }));
      const u = res.user;
      const name = u?.profile?.display_name || u?.profile?.real_name || u?.real_name || u?.name || undefined;
      remember(userId, name, ttlMs);
      return name;
    } catch (err) {
      // Remember the miss for a while too, so an unknown id or a rate limit does not cost a call per message.
      remember(userId, undefined, Math.min(ttlMs, MISS_TTL_MS));
      if (err instanceof PlatformPermissionError) {
        isDisabled = true;
        logger.warn({ platform: "slack", scope: err.scope }, "users.info not allowed: showing user ids instead of names");
      } else {
        logger.debug({ platform: "slack", err }, "users.info failed");
      }
      return undefined;
    }
  }

  function lookup(userId: string): Promise<string | undefined> {
    const hit = cache.get(userId);
    if (hit && hit.expiresAt > Date.now()) return Promise.resolve(hit.name);
    const running = inFlight.get(userId);
    if (running !== undefined) return running;
    const p = fetchName(userId).finally(() => inFlight.delete(userId));
    inFlight.set(userId, p);
    return p;
  }

  return {
    async namesOf(userIds) {
      const out: Record<string, string> = {};
      if (isDisabled || userIds.length === 0) return out;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      const all = Promise.all(
        [...new Set(userIds)].map(async (id) => {
          const name = await lookup(id);
          if (name) out[id] = name;
        }),
      );
      await Promise.race([all, timeout]);
      clearTimeout(timer);
      return { ...out };
    },
  };
}
