import type { Redis } from "ioredis";

/** A Lua script bound to one connection: call it with the number of keys, the keys, then the arguments. */
export type ScriptCommand = (...args: Array<string | number>) => Promise<unknown>;

/**
 * Sends a Lua script by its SHA after the first call (EVALSHA; ioredis reloads it on NOSCRIPT). Budget and lock
 * scripts run for every platform update of every stream: sending their source each time cost more than running them.
 */
export function redisScript(redis: Redis, name: string, lua: string): ScriptCommand {
  const commands = redis as unknown as Record<string, ScriptCommand | undefined>;
  if (!commands[name]) redis.defineCommand(name, { lua });
  return (...args) => (commands[name] as ScriptCommand).call(redis, ...args);
}
