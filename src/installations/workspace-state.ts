import type { Redis } from "ioredis";
import type { Logger } from "../contracts/logger.js";
import type { PlatformId } from "../contracts/messages.js";
import { keysMentioning } from "../state/redis-keys.js";
import { scanKeys } from "../state/redis-scan.js";

/**
 * Forgets what the bridge keeps for one workspace once the bot was removed from it: every key whose id names
 * `<platform>:<workspace>:` — the thread keys (conversation, thread marker, FIFO, lock, suggestions, dedupe
 * markers grouped with their thread), the feedback index and the workspace's rate budgets all do (conversation
 * keys and budget keys start with it by contract). Per-turn records and Dify-message keys carry no workspace
 * and lapse with their TTL.
 *
 * SCAN, not KEYS: it never blocks Redis. Under Redis Cluster every master is scanned, since the keys of one
 * workspace are spread over slots (each thread has its own).
 */
export async function forgetWorkspace(redis: Redis, prefix: string, platform: PlatformId, workspaceId: string, logger: Logger): Promise<number> {
  let deleted = 0;
  // One UNLINK per key: under Cluster, one command may not span slots.
  for (const k of await scanKeys(redis, keysMentioning(prefix, `${platform}:${workspaceId}:`))) deleted += await redis.unlink(k);
  logger.info({ platform, workspaceId, deletedKeys: deleted }, "workspace removed: its conversations, feedback index and budgets are forgotten");
  return deleted;
}
