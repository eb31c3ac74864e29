import { fork } from "node:child_process";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

/**
 * The cost of merely receiving the events, for context: a process that opens `streams` streaming responses
 * on node:http and only counts the chunks (no parsing, no work), fed `eventsPerSecond` Dify-sized events per
 * stream from this process. Its CPU per chunk is the floor any Node.js bridge pays on this machine.
 */
export async function measureSocketFloor(
  streams: number,
  eventsPerSecond: number,
  seconds = 10,
): Promise<{ chunksPerSecond: number; cpuShare: number; microsPerChunk: number }> {
  const payload = `data: {"event":"message","conversation_id":"45701982-8118-4bc5-8e9b-64562b4555f2","message_id":"9da23599-e713-473b-982c-4328d4f5c78a","created_at":1705407629,"task_id":"c3800678-a077-43df-a102-53f23ed20b88","id":"9da23599-e713-473b-982c-4328d4f5c78a","answer":" word","from_variable_selector":null}\n\n`;
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    const t = setInterval(() => res.write(payload), 1000 / eventsPerSecond);
    timers.add(t);
    req.on("close", () => {
      clearInterval(t);
      timers.delete(t);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  const child = fork(fileURLToPath(import.meta.url), ["--socket-floor-client", String(port), String(streams), String(seconds)], {
    execArgv: ["--import", "tsx"],
  });
  const result = await new Promise<{ chunksPerSecond: number; cpuShare: number; microsPerChunk: number }>((resolve) =>
    child.once("message", (m) => resolve(m as never)),
  );
  child.kill();
  for (const t of timers) clearInterval(t);
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  return result;
}

async function client(port: number, streams: number, seconds: number): Promise<void> {
  let chunks = 0;
  for (let i = 0; i < streams; i++) {
    request({ host: "127.0.0.1", port, path: "/", method: "POST", agent: false }, (res) => res.on("data", () => chunks++)).end("{}");
  }
  await new Promise((r) => setTimeout(r, 3_000));
  const cpu0 = process.cpuUsage();
  const n0 = chunks;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1_000));
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (performance.now() - t0) / 1000;
  const n = chunks - n0;
  const busy = (cpu.user + cpu.system) / 1e6;
  process.send?.({ chunksPerSecond: n / elapsed, cpuShare: busy / elapsed, microsPerChunk: (busy * 1e6) / Math.max(1, n) });
}

if (process.argv[2] === "--socket-floor-client") {
  void client(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));
}
