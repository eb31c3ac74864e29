import { describe, expect, it } from "vitest";
import { parseCoreConfig } from "../../../src/config/config.js";
import { describeRedisTarget, parseRedisUrl } from "../../../src/config/redis-url.js";

function targetOf(url: string) {
  const r = parseRedisUrl(url);
  if (!r.ok) throw new Error(r.problems.join("; "));
  return r.target;
}

function problemsOf(url: string): readonly string[] {
  const r = parseRedisUrl(url);
  if (r.ok) throw new Error("expected problems");
  return r.problems;
}

describe("parseRedisUrl", () => {
  it("keeps a single-server URL as ioredis reads it", () => {
    expect(targetOf("redis://127.0.0.1:6379")).toEqual({ kind: "standalone", url: "redis://127.0.0.1:6379" });
    expect(targetOf("rediss://:pw@cache.example.com:6380/2")).toEqual({ kind: "standalone", url: "rediss://:pw@cache.example.com:6380/2" });
  });

  it("reads a Sentinel URL: every Sentinel, the primary's name, db, data-node and Sentinel credentials", () => {
    expect(
      targetOf("redis+sentinel://app:s%40cret@s1.example.com:26379,s2.example.com,[::1]:26380/mymaster?db=3&sentinelPassword=sp&sentinelUsername=su"),
    ).toEqual({
      kind: "sentinel",
      sentinels: [
        { host: "s1.example.com", port: 26379 },
        { host: "s2.example.com", port: 26379 },
        { host: "::1", port: 26380 },
      ],
      name: "mymaster",
      db: 3,
      tls: false,
      username: "app",
      password: "s@cret",
      sentinelUsername: "su",
      sentinelPassword: "sp",
    });
    expect(targetOf("rediss+sentinel://:pw@10.0.0.1/primary/1")).toMatchObject({ kind: "sentinel", tls: true, password: "pw", db: 1, name: "primary" });
  });

  it("reads a Cluster URL: every seed node (6379 when no port), credentials, TLS", () => {
    expect(targetOf("redis+cluster://:pw@n1:7000,n2:7001,n3")).toEqual({
      kind: "cluster",
      nodes: [
        { host: "n1", port: 7000 },
        { host: "n2", port: 7001 },
        { host: "n3", port: 6379 },
      ],
      tls: false,
      password: "pw",
    });
    expect(targetOf("rediss+cluster://n1:7000/")).toMatchObject({ kind: "cluster", tls: true });
  });

  it("names each problem without quoting the value", () => {
    expect(problemsOf("redis+sentinel://s1:26379")).toEqual(["needs the primary's name as its path, e.g. redis+sentinel://host1:26379,host2:26379/mymaster"]);
    expect(problemsOf("redis+sentinel://s1:99999,:1/m?db=x&pool=3")).toEqual([
      "host 1 is not host[:port] with a port from 1 to 65535",
      "host 2 is not host[:port] with a port from 1 to 65535",
      "db must be a database number (0-15 on a default Redis)",
      'unknown option "pool" (allowed: db, sentinelPassword, sentinelUsername)',
    ]);
    expect(problemsOf("redis+cluster://n1:7000,n2:7001/2?x=1")).toEqual([
      "a Redis Cluster has only database 0: remove the path",
      'unknown option "x" (a cluster URL takes none)',
    ]);
    expect(problemsOf("redis://n1:7000,n2:7001")[0]).toMatch(/^lists several hosts: use redis\+sentinel:\/\//);
    expect(problemsOf("memcached://n1")[0]).toMatch(/^must be a redis:\/\/, rediss:\/\/, redis\+sentinel:\/\/ or redis\+cluster:\/\/ URL/);
    const secret = "TOPSECRET-pw";
    for (const url of [`redis+sentinel://:${secret}@s1:0/m`, `redis+cluster://:${secret}@/x`, `redis://:${secret}@a,b`]) {
      expect(problemsOf(url).join(" ")).not.toContain(secret);
    }
  });

  it("describes a target for logs without its password", () => {
    expect(describeRedisTarget(targetOf("redis+sentinel://:pw@s1:26379,s2:26380/mymaster"))).toBe("sentinel mymaster via s1:26379,s2:26380");
    expect(describeRedisTarget(targetOf("redis+cluster://:pw@n1:7000,[::1]:7001"))).toBe("cluster via n1:7000,[::1]:7001");
    expect(describeRedisTarget(targetOf("redis://:pw@cache:6380"))).toBe("cache:6380");
  });
});

describe("REDIS_URL in the core config", () => {
  it("accepts the Sentinel and Cluster forms and lists every problem at once", () => {
    const ok = parseCoreConfig({ DIFY_API_KEY: "k", REDIS_URL: "redis+cluster://n1:7000,n2:7001" });
    expect(ok.ok && ok.value.redis).toEqual({ kind: "cluster", nodes: expect.any(Array), tls: false });
    const bad = parseCoreConfig({ DIFY_API_KEY: "k", REDIS_URL: "redis+sentinel://s1:0,s2/", PORT: "x" });
    expect(bad.ok ? [] : bad.issues).toEqual([
      "REDIS_URL: host 1 is not host[:port] with a port from 1 to 65535",
      "REDIS_URL: needs the primary's name as its path, e.g. redis+sentinel://host1:26379,host2:26379/mymaster",
      "PORT: must be a whole number from 0 to 65535",
    ]);
  });
});
