import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/**
 * Another bridge measured in the same run, on the same fakes and workloads. It is any command that reads the
 * usual variables (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, DIFY_API_URL, DIFY_API_KEY, PORT,
 * REDIS_URL, REDIS_PREFIX, SLACK_STREAMING) and takes Slack's Events API on http://127.0.0.1:$PORT<eventsPath>:
 *
 *   BENCH_PEER_CMD="node /opt/other-bridge/index.js" BENCH_PEER_NAME=other BENCH_PEER_EVENTS_PATH=/slack/events npm run bench
 *
 * Pointing it at this bridge (`BENCH_PEER_CMD="node --import tsx src/main.ts"`) checks the harness itself.
 */
export interface PeerCommand {
  readonly name: string;
  readonly command: string;
  readonly eventsPath: string;
}

export function peerFromEnv(env: NodeJS.ProcessEnv = process.env): PeerCommand | undefined {
  const command = env.BENCH_PEER_CMD?.trim();
  if (!command) return undefined;
  return { command, name: env.BENCH_PEER_NAME?.trim() || command, eventsPath: env.BENCH_PEER_EVENTS_PATH?.trim() || "/slack/events" };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Starts the peer and waits (up to 30 s) until its port answers HTTP. */
export async function startPeer(peer: PeerCommand, env: Record<string, string>): Promise<{ eventsUrl: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(peer.command, {
    shell: true,
    detached: true,
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await fetch(`${base}/`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`peer "${peer.name}" did not start listening on ${base}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    eventsUrl: `${base}${peer.eventsPath}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      // The shell's whole process group: the command may have started children of its own.
      process.kill(-(child.pid as number), "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) process.kill(-(child.pid as number), "SIGKILL");
    },
  };
}
