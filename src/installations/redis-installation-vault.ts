import type { Redis } from "ioredis";
import type { InstallationVault } from "../contracts/installations.js";
import type { PlatformId } from "../contracts/messages.js";
import type { RedisKeyBuilder } from "../state/redis-keys.js";

/**
 * Installations in one Redis hash per platform (`install:<platform>`: id → sealed record). One key keeps every
 * call single-slot under Redis Cluster and makes `list` one HKEYS. The hash has no TTL on purpose: an
 * installation is removed when the platform reports the uninstall, never by expiry. Redis persistence (the
 * compose file's AOF) is what keeps installs across restarts.
 *
 * Adapters get the vault when they are built, before Redis is open; the bridge binds it at start, and every
 * call before that fails loudly instead of pretending nothing is installed.
 */
export class RedisInstallationVault implements InstallationVault {
  private redis: Redis | undefined;
  private key: RedisKeyBuilder | undefined;

  bind(redis: Redis, key: RedisKeyBuilder): void {
    this.redis = redis;
    this.key = key;
  }

  async put(platform: PlatformId, id: string, sealed: string): Promise<void> {
    const { redis, hash } = this.open(platform);
    await redis.hset(hash, id, sealed);
  }

  async get(platform: PlatformId, id: string): Promise<string | undefined> {
    const { redis, hash } = this.open(platform);
    return (await redis.hget(hash, id)) ?? undefined;
  }

  async delete(platform: PlatformId, id: string): Promise<void> {
    const { redis, hash } = this.open(platform);
    await redis.hdel(hash, id);
  }

  async list(platform: PlatformId): Promise<string[]> {
    const { redis, hash } = this.open(platform);
    return redis.hkeys(hash);
  }

  private open(platform: PlatformId): { redis: Redis; hash: string } {
    if (this.redis === undefined || this.key === undefined) throw new Error("installations are not available before the bridge has started");
    return { redis: this.redis, hash: this.key("install", platform) };
  }
}
