import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";

/**
 * Real Redis topologies for the Redis HA tests: redis-server processes on free loopback ports, in a temporary
 * directory, without persistence. Each topology stops its processes on `stop()` and, as a last resort, when
 * the test process exits, so a failing test never leaves servers behind.
 */

const run = promisify(execFile);
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster-bus twin (port + 10000, Redis Cluster's rule) is free too. */
async function freePort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) {
      taken.add(port);
      taken.add(port + 10_000);
      return port;
    }
  }
  throw new Error("no free port pair found");
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen in ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One command on a throwaway connection (no retries, so a dead node answers at once). */
async function ask(port: number, ...args: string[]): Promise<unknown> {
  const redis = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    return await redis.call(args[0] as string, ...args.slice(1));
  } finally {
    redis.disconnect();
  }
}

class Processes {
  readonly dir = mkdtempSync(join(tmpdir(), "bridge-redis-"));
  readonly ports = new Set<number>();
  readonly children = new Map<number, ChildProcess>();

  start(port: number, args: readonly string[]): void {
    const child = spawn("redis-server", [...args], { cwd: this.dir, stdio: ["ignore", "ignore", "pipe"] });
    child.stderr?.resume();
    running.add(child);
    child.once("exit", () => running.delete(child));
    this.children.set(port, child);
  }

  async ready(port: number): Promise<void> {
    await until(`redis on ${port}`, async () => (await ask(port, "PING")) === "PONG");
  }

  kill(port: number): void {
    this.children.get(port)?.kill("SIGKILL");
  }

  async stop(): Promise<void> {
    const exits = [...this.children.values()].map(
      (child) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()))),
    );
    for (const child of this.children.values()) child.kill("SIGKILL");
    await Promise.all(exits);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const DATA_NODE = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"] as const;

export interface SentinelTopology {
  /** REDIS_URL for the bridge: `redis+sentinel://127.0.0.1:S1,…/mymaster`. */
  readonly url: string;
  readonly masterName: string;
  readonly sentinelPorts: readonly number[];
  readonly dataPorts: readonly number[];
  /** The port of the current primary, as the Sentinels see it. */
  primaryPort(): Promise<number>;
  /** SENTINEL FAILOVER, then waits until every Sentinel names the new primary and it accepts writes. */
  failover(): Promise<{ from: number; to: number }>;
  stop(): Promise<void>;
}

/**
 * A primary with two replicas and three Sentinels (quorum 2) watching it, as Redis' Sentinel documentation's
 * basic setup. Sentinels need writable config files (they rewrite them), so each gets one in the directory.
 */
export async function startSentinelTopology(): Promise<SentinelTopology> {
  const p = new Processes();
  const masterName = "mymaster";
  try {
    const dataPorts = [await freePort(p.ports), await freePort(p.ports), await freePort(p.ports)];
    const [primary, ...replicas] = dataPorts as [number, number, number];
    p.start(primary, ["--port", String(primary), ...DATA_NODE]);
    await p.ready(primary);
    for (const port of replicas) p.start(port, ["--port", String(port), ...DATA_NODE, "--replicaof", "127.0.0.1", String(primary)]);
    for (const port of replicas) {
      await p.ready(port);
      await until(`replica ${port} in sync`, async () => String(await ask(port, "INFO", "replication")).includes("master_link_status:up"));
    }
    const sentinelPorts = [await freePort(p.ports), await freePort(p.ports), await freePort(p.ports)];
    for (const port of sentinelPorts) {
      const file = join(p.dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          "protected-mode no",
          `dir ${p.dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${primary} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 5000`,
          `sentinel parallel-syncs ${masterName} 2`,
          "",
        ].join("\n"),
      );
      p.start(port, [file, "--sentinel"]);
    }
    for (const port of sentinelPorts) {
      await p.ready(port);
      // A forced failover needs a replica the Sentinel knows about; clients need every Sentinel to agree.
      await until(`sentinel ${port} sees both replicas`, async () => ((await ask(port, "SENTINEL", "REPLICAS", masterName)) as unknown[]).length === 2);
    }
    const primaryPort = async () => {
      const [, port] = (await ask(sentinelPorts[0] as number, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName)) as [string, string];
      return Number(port);
    };
    return {
      url: `redis+sentinel://${sentinelPorts.map((port) => `127.0.0.1:${port}`).join(",")}/${masterName}`,
      masterName,
      sentinelPorts,
      dataPorts,
      primaryPort,
      async failover() {
        const from = await primaryPort();
        await ask(sentinelPorts[0] as number, "SENTINEL", "FAILOVER", masterName);
        const to = await until("the Sentinels to name a new primary", async () => {
          const ports = await Promise.all(
            sentinelPorts.map(async (s) => Number(((await ask(s, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName)) as [string, string])[1])),
          );
          return ports.every((port) => port === ports[0] && port !== from) ? ports[0] : undefined;
        });
        await until("the new primary to take writes", async () => String(await ask(to as number, "ROLE")).startsWith("master"));
        return { from, to: to as number };
      },
      stop: () => p.stop(),
    };
  } catch (err) {
    await p.stop();
    throw err;
  }
}

export interface ClusterTopology {
  /** REDIS_URL for the bridge: `redis+cluster://127.0.0.1:P1,…`. */
  readonly url: string;
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

/** Three primaries, slots spread by `redis-cli --cluster create` (no replicas: the tests are about slots). */
export async function startClusterTopology(): Promise<ClusterTopology> {
  const p = new Processes();
  try {
    const ports = [await freePort(p.ports), await freePort(p.ports), await freePort(p.ports)];
    for (const port of ports) {
      p.start(port, [
        "--port",
        String(port),
        ...DATA_NODE,
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        `nodes-${port}.conf`,
        "--cluster-node-timeout",
        "2000",
      ]);
    }
    for (const port of ports) await p.ready(port);
    await run("redis-cli", ["--cluster", "create", ...ports.map((port) => `127.0.0.1:${port}`), "--cluster-replicas", "0", "--cluster-yes"], {
      timeout: 20_000,
    });
    for (const port of ports) {
      await until(`cluster state ok on ${port}`, async () => String(await ask(port, "CLUSTER", "INFO")).includes("cluster_state:ok"));
    }
    return { url: `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(",")}`, ports, stop: () => p.stop() };
  } catch (err) {
    await p.stop();
    throw err;
  }
}

export interface StandaloneRedis {
  /** REDIS_URL for the bridge. */
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL: no goodbye to clients) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence), and waits until it answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** One redis-server of the test's own, on a free loopback port, that the test may kill and restart. */
export async function startStandaloneRedis(): Promise<StandaloneRedis> {
  const p = new Processes();
  const port = await freePort(p.ports);
  const launch = async () => {
    p.start(port, ["--port", String(port), ...DATA_NODE]);
    await p.ready(port);
  };
  try {
    await launch();
  } catch (err) {
    await p.stop();
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      const child = p.children.get(port);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGKILL");
      await gone;
    },
    restart: launch,
    stop: () => p.stop(),
  };
}
