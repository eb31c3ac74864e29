/**
 * REDIS_URL in one of three forms (documented in README "Redis HA"):
 *
 * - `redis://[[user]:password@]host[:6379][/db]` or `rediss://…` (TLS): one Redis server, as ioredis reads it.
 * - `redis+sentinel://[[user]:password@]host1[:26379],host2[:26379]/primaryName[?db=N&sentinelPassword=…&sentinelUsername=…]`
 *   (`rediss+sentinel://` for TLS to the data nodes and the Sentinels): ioredis asks the Sentinels for the current
 *   primary and follows failovers. The user and password in front authenticate to the data nodes.
 * - `redis+cluster://[[user]:password@]host1[:6379],host2[:6379],…` (`rediss+cluster://` for TLS): a Redis
 *   Cluster; any reachable subset of nodes is enough to discover the rest. A cluster has only database 0.
 *
 * Hand-written because no URL parser accepts several hosts in the authority (WHATWG `URL` rejects "h1:1,h2:2").
 * Problems never quote the value: it may hold a password.
 */

interface RedisNode {
  readonly host: string;
  readonly port: number;
}

interface RedisAuth {
  readonly username?: string;
  readonly password?: string;
}

export type RedisTarget =
  | { readonly kind: "standalone"; readonly url: string }
  | (RedisAuth & {
      readonly kind: "sentinel";
      readonly sentinels: readonly RedisNode[];
      /** The primary's name as the Sentinels know it (`sentinel monitor <name> …`). */
      readonly name: string;
      readonly db: number;
      readonly tls: boolean;
      readonly sentinelUsername?: string;
      readonly sentinelPassword?: string;
    })
  | (RedisAuth & { readonly kind: "cluster"; readonly nodes: readonly RedisNode[]; readonly tls: boolean });

export type RedisUrlResult = { readonly ok: true; readonly target: RedisTarget } | { readonly ok: false; readonly problems: readonly string[] };

const SENTINEL_EXAMPLE = "redis+sentinel://host1:26379,host2:26379/mymaster";
const CLUSTER_EXAMPLE = "redis+cluster://host1:7000,host2:7001,host3:7002";
const SENTINEL_QUERY = new Set(["db", "sentinelPassword", "sentinelUsername"]);

export function parseRedisUrl(raw: string): RedisUrlResult {
  const scheme = /^([a-z+]+):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === "redis" || scheme === "rediss") return parseStandalone(raw);
  if (scheme === "redis+sentinel" || scheme === "rediss+sentinel") return parseSentinel(raw, scheme === "rediss+sentinel");
  if (scheme === "redis+cluster" || scheme === "rediss+cluster") return parseCluster(raw, scheme === "rediss+cluster");
  return fail(`must be a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL (e.g. ${SENTINEL_EXAMPLE})`);
}

/** Where the bridge connects, for logs and the doctor: hosts and names only, never a password. */
export function describeRedisTarget(target: RedisTarget): string {
  if (target.kind === "standalone") {
    try {
      return new URL(target.url).host || "127.0.0.1:6379";
    } catch {
      return "redis";
    }
  }
  if (target.kind === "sentinel") return `sentinel ${target.name} via ${target.sentinels.map(hostPort).join(",")}`;
  return `cluster via ${target.nodes.map(hostPort).join(",")}`;
}

function parseStandalone(raw: string): RedisUrlResult {
  const authority = /^[a-z]+:\/\/([^/?#]*)/i.exec(raw)?.[1] ?? "";
  if (authority.replace(/^[^@]*@/, "").includes(",")) {
    return fail(`lists several hosts: use redis+sentinel:// (${SENTINEL_EXAMPLE}) or redis+cluster:// (${CLUSTER_EXAMPLE})`);
  }
  try {
    new URL(raw);
    return { ok: true, target: { kind: "standalone", url: raw } };
  } catch {
    return fail("is not a valid redis:// URL");
  }
}

interface Parts {
  readonly auth: RedisAuth;
  readonly nodes: readonly RedisNode[];
  readonly path: string;
  readonly query: URLSearchParams;
  readonly problems: string[];
}

function split(raw: string, defaultPort: number): Parts | { problems: string[] } {
  const m = /^[a-z+]+:\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(raw);
  if (!m) return { problems: ["is not a valid URL (scheme://[user:password@]host:port,host:port…)"] };
  const problems: string[] = [];
  const auth = parseAuth(m[1], problems);
  const hosts = (m[2] ?? "").split(",").map((h) => h.trim());
  const nodes: RedisNode[] = [];
  hosts.forEach((h, i) => {
    const node = parseNode(h, defaultPort);
    if (node) nodes.push(node);
    else problems.push(`host ${i + 1} is not host[:port] with a port from 1 to 65535`);
  });
  return { auth, nodes, path: m[3] ?? "", query: new URLSearchParams(m[4] ?? ""), problems };
}

function parseAuth(userinfo: string | undefined, problems: string[]): RedisAuth {
  if (userinfo === undefined || userinfo === "") return {};
  const colon = userinfo.indexOf(":");
  const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
  const password = colon === -1 ? undefined : userinfo.slice(colon + 1);
  try {
    return {
      ...(user !== "" && { username: decodeURIComponent(user) }),
      ...(password !== undefined && password !== "" && { password: decodeURIComponent(password) }),
    };
  } catch {
    problems.push("the user or password is not valid percent-encoding");
    return {};
  }
}

function parseNode(hostPort: string, defaultPort: number): RedisNode | null {
  const m = /^(\[[0-9a-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/i.exec(hostPort);
  if (!m?.[1]) return null;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1].replace(/^\[(.*)\]$/, "$1"), port };
}

function parseSentinel(raw: string, tls: boolean): RedisUrlResult {
  const parts = split(raw, 26379);
  if (!("nodes" in parts)) return fail(...parts.problems);
  const problems = [...parts.problems];
  const segments = parts.path.split("/").filter((s) => s !== "");
  const name = segments[0] ?? "";
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) problems.push(`needs the primary's name as its path, e.g. ${SENTINEL_EXAMPLE}`);
  const dbText = parts.query.get("db") ?? segments[1] ?? "0";
  const db = Number(dbText);
  if (!/^\d{1,2}$/.test(dbText)) problems.push("db must be a database number (0-15 on a default Redis)");
  if (segments.length > 2) problems.push("has more path than /primaryName[/db]");
  for (const key of parts.query.keys()) if (!SENTINEL_QUERY.has(key)) problems.push(`unknown option "${key}" (allowed: ${[...SENTINEL_QUERY].join(", ")})`);
  if (problems.length > 0) return fail(...problems);
  const sentinelPassword = parts.query.get("sentinelPassword") ?? undefined;
  const sentinelUsername = parts.query.get("sentinelUsername") ?? undefined;
  return {
    ok: true,
    target: {
      kind: "sentinel",
      sentinels: parts.nodes,
      name,
      db,
      tls,
      ...parts.auth,
      ...(sentinelPassword !== undefined && sentinelPassword !== "" && { sentinelPassword }),
      ...(sentinelUsername !== undefined && sentinelUsername !== "" && { sentinelUsername }),
    },
  };
}

function parseCluster(raw: string, tls: boolean): RedisUrlResult {
  const parts = split(raw, 6379);
  if (!("nodes" in parts)) return fail(...parts.problems);
  const problems = [...parts.problems];
  if (parts.path !== "" && parts.path !== "/" && parts.path !== "/0") problems.push("a Redis Cluster has only database 0: remove the path");
  for (const key of parts.query.keys()) problems.push(`unknown option "${key}" (a cluster URL takes none)`);
  if (problems.length > 0) return fail(...problems);
  return { ok: true, target: { kind: "cluster", nodes: parts.nodes, tls, ...parts.auth } };
}

function fail(...problems: string[]): RedisUrlResult {
  return { ok: false, problems };
}

function hostPort(n: RedisNode): string {
  return n.host.includes(":") ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`;
}
