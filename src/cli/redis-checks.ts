import { createRedisClient } from "../app/redis-client.js";
import { describeRedisTarget, type RedisTarget } from "../config/redis-url.js";
import type { DoctorCheck } from "../contracts/doctor.js";

/** Redis reachable, and configured so queued questions survive restarts and are never evicted. */
export async function checkRedis(target: RedisTarget): Promise<DoctorCheck[]> {
  const area = "Redis";
  const where = describeRedisTarget(target);
  const redis = createRedisClient(target, { connectTimeout: 3_000, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    redis.disconnect();
    return [
      {
        area,
        name: "reachable",
        status: "fail",
        detail: `cannot connect to ${where}`,
        fix: "Start Redis or fix REDIS_URL (docker compose up -d redis).",
      },
    ];
  }
  const checks: DoctorCheck[] = [{ area, name: "reachable", status: "pass", detail: where }];
  const config = async (name: string) => {
    try {
      const reply = (await redis.config("GET", name)) as string[];
      return reply[1];
    } catch {
      return undefined; // CONFIG is disabled on some managed Redis services
    }
  };
  const policy = await config("maxmemory-policy");
  if (policy !== undefined) {
    checks.push(
      policy === "noeviction"
        ? { area, name: "eviction", status: "pass", detail: "noeviction" }
        : {
            area,
            name: "eviction",
            status: "warn",
            detail: `maxmemory-policy is ${policy}: Redis may drop queued work or conversations under memory pressure`,
            fix: "Set maxmemory-policy noeviction.",
          },
    );
  }
  const aof = await config("appendonly");
  const save = await config("save");
  if (aof !== undefined) {
    checks.push(
      aof === "yes" || (save !== undefined && save !== "")
        ? { area, name: "persistence", status: "pass", detail: aof === "yes" ? "append-only file" : "snapshots" }
        : {
            area,
            name: "persistence",
            status: "warn",
            detail: "no persistence: a Redis restart forgets queued questions and conversations",
            fix: "Enable appendonly yes (docker-compose.yml does).",
          },
    );
  }
  await redis.quit();
  return checks;
}
