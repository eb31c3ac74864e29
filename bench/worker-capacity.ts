/**
 * How many concurrent answers one worker process holds while Dify streams each at 50 tokens/s. The worker is
 * the real service in its own process (`node --import tsx src/main.ts`, BRIDGE_ROLE=worker, Discord adapter over
 * REST) so its event loop and memory are measured alone; the fake Dify and fake Discord run in this process.
 * Jobs are queued straight into Redis as the ingress would. Event-loop delay and RSS come from the worker's own
 * /metrics (prom-client, sampled every 5 ms, reset at each scrape).
 *
 *   node --import tsx bench/worker-capacity.ts        (part of npm run bench)
 *   BENCH_STREAMS=500,1000 BENCH_TOKENS=3000 node --import tsx bench/worker-capacity.ts
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { InboundMessage } from "../src/contracts/messages.js";
import { type BridgeJobData, jobIdFrom } from "../src/queue/job-types.js";
import { ReplyQueue } from "../src/queue/reply-queue.js";
import { createRedisKeys } from "../src/state/redis-keys.js";
import { ThreadFifo } from "../src/state/thread-fifo.js";
import { FakeDifyServer, scripts } from "../test/fakes/dify/index.js";
import { FakeDiscord } from "../test/fakes/discord/index.js";
import { dropPrefix, REDIS_URL } from "./lib/slack-rig.js";
import { measureSocketFloor } from "./lib/socket-floor.js";
import { ms, summarize } from "./lib/stats.js";
import { answerText } from "./lib/timed-answer.js";

const SIZES = (process.env.BENCH_STREAMS ?? "500,1000").split(",").map(Number);
const TOKENS = Number(process.env.BENCH_TOKENS ?? "3000");
const TOKENS_PER_SECOND = 50;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function metric(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, "m").exec(text);
  return m ? Number(m[1]) : undefined;
}

export interface CapacityResult {
  readonly streams: number;
  readonly heldMax: number;
  readonly heldWindow: ReturnType<typeof summarize>;
  readonly lagP99Ms: ReturnType<typeof summarize>;
  readonly peakRssMb: number;
  readonly eventsPerSecond: number;
  readonly exactFinals: number;
  readonly steadyWindowS: number;
  readonly discord429s: number;
  /** Worker CPU time per second of the steady window (1 = one core busy). */
  readonly cpuShare: number;
}

export async function runCapacityBench(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string> {
  const sections: string[] = [];
  for (const streams of SIZES) sections.push(await runCapacityOnce(streams, log));
  return sections.join("\n");
}

async function runCapacityOnce(streams: number, log: (line: string) => void): Promise<string> {
  const floor = await measureSocketFloor(streams, TOKENS_PER_SECOND);
  log(
    `capacity: receiving alone (node:http, no work): ${floor.chunksPerSecond.toFixed(0)} chunks/s at ${(floor.cpuShare * 100).toFixed(0)}% of a core, ${floor.microsPerChunk.toFixed(1)} µs per chunk`,
  );
  const prefix = `bench-cap-${randomUUID().slice(0, 8)}`;
  const discord = await FakeDiscord.start({ heartbeatIntervalMs: 5_000 });
  const dify = await FakeDifyServer.start({ pingIntervalMs: 10_000, recordRequests: false });
  const text = answerText(TOKENS, 7);
  dify.onChat(() => scripts.answer(text, { chunkChars: 4, delayMs: 1000 / TOKENS_PER_SECOND }));
  const port = await freePort();
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the worker there (for finding hot spots).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const worker: ChildProcess = spawn(process.execPath, [...profile, "--import", "tsx", fileURLToPath(new URL("../src/main.ts", import.meta.url))], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: {
      PATH: process.env.PATH ?? "",
      BRIDGE_ROLE: "worker",
      DIFY_API_URL: dify.baseUrl,
      DIFY_API_KEY: dify.apiKey,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      PORT: String(port),
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      WORKER_CONCURRENCY: String(streams * 2),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(metricsUrl).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }

  // One thread per answer, as if each were a separate conversation.
  const threads = Array.from({ length: streams }, (_, i) => discord.users.createThread({ parentId: discord.ids.general, name: `bench ${i}` }));
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue<BridgeJobData>("dify-bridge", { connection: redis, prefix });
  const replies = new ReplyQueue(queue, new ThreadFifo(redis, createRedisKeys(prefix), 3_600_000));
  const started = performance.now();
  await Promise.all(
    threads.map((t, i) => {
      const message: InboundMessage = {
        platform: "discord",
        messageId: `bench${i}`,
        dedupeKey: `bench-${prefix}-${i}`,
        conversationKey: `discord:${discord.ids.guild}:${discord.ids.general}:${t.id}`,
        replyTarget: { platform: "discord", workspaceId: discord.ids.guild, channelId: t.id },
        author: { userId: discord.ids.alice, displayName: "alice" },
        text: `question ${i}`,
        isDirectMessage: false,
        mentionsBot: true,
        mentionsOthers: false,
        inExistingThread: false,
        attachments: [],
        receivedAt: new Date().toISOString(),
      };
      return replies.enqueueReply(jobIdFrom(message.dedupeKey), { kind: "reply", message });
    }),
  );
  log(`capacity: ${streams} answers queued; worker pid ${worker.pid}`);

  const samples: Array<{ t: number; held: number; lagP99: number | undefined; rss: number | undefined; cpu: number | undefined; events: number }> = [];
  const streamMs = (TOKENS / TOKENS_PER_SECOND) * 1000;
  const eventsWritten = () => dify.streams.reduce((a, s) => a + s.eventsWritten, 0);
  while (performance.now() - started < streamMs + 60_000) {
    await new Promise((r) => setTimeout(r, 2_000));
    const body = await fetch(metricsUrl).then(
      (r) => r.text(),
      () => "",
    );
    samples.push({
      t: performance.now() - started,
      held: dify.activeStreamCount,
      lagP99: metric(body, "bridge_process_nodejs_eventloop_lag_p99_seconds"),
      rss: metric(body, "bridge_process_process_resident_memory_bytes"),
      cpu: metric(body, "bridge_process_process_cpu_seconds_total"),
      events: eventsWritten(),
    });
    const last = samples.at(-1);
    log(
      `capacity: t=${((last?.t ?? 0) / 1000).toFixed(0)}s held=${last?.held} lag_p99=${ms((last?.lagP99 ?? Number.NaN) * 1000)} rss=${((last?.rss ?? 0) / 1e6).toFixed(0)}MB`,
    );
    if (dify.streams.length >= streams && dify.activeStreamCount === 0) break;
  }
  // Steady state: every answer streaming at once.
  const peak = Math.max(...samples.map((s) => s.held));
  const steady = samples.filter((s) => s.held >= peak * 0.98);
  const first = steady[0];
  const last = steady.at(-1);
  const eventsPerSecond = first && last && last.t > first.t ? ((last.events - first.events) / (last.t - first.t)) * 1000 : Number.NaN;
  // Worker CPU over the steady window: a share of one core, and per Dify event consumed.
  const cpuShare = first?.cpu !== undefined && last?.cpu !== undefined && last.t > first.t ? (last.cpu - first.cpu) / ((last.t - first.t) / 1000) : Number.NaN;

  // Let the final texts land (the bot-wide 50 requests/s paces them), then check them.
  const deadline = Date.now() + 240_000;
  const isExact = (threadId: string) =>
    discord
      .botMessages(threadId)
      .map((m) => m.content)
      .join("")
      .replace(/\s+/g, "") === text.replace(/\s+/g, "");
  const finalOk = () => threads.filter((t) => isExact(t.id)).length;
  while (Date.now() < deadline && finalOk() < streams) await new Promise((r) => setTimeout(r, 2_000));
  if (process.env.BENCH_DEBUG) {
    const limited = discord.requests.filter((r) => r.status === 429);
    log(
      `capacity debug: 429s: ${JSON.stringify(limited.slice(0, 8).map((r) => `${r.method} ${r.path.replace(/\d{5,}/g, ":id")} @${(r.at % 100000).toFixed(0)}`))}`,
    );
    const bad = threads.filter((t) => !isExact(t.id)).slice(0, 3);
    for (const t of bad)
      log(`capacity debug: thread ${t.id}: ${JSON.stringify(discord.botMessages(t.id).map((m) => m.content.slice(0, 80)))} streams=${dify.streams.length}`);
  }
  const result: CapacityResult = {
    streams: streams,
    heldMax: peak,
    heldWindow: summarize(steady.map((s) => s.held)),
    lagP99Ms: summarize(steady.flatMap((s) => (s.lagP99 === undefined ? [] : [s.lagP99 * 1000]))),
    peakRssMb: Math.max(...samples.map((s) => s.rss ?? 0)) / 1e6,
    eventsPerSecond,
    exactFinals: finalOk(),
    steadyWindowS: first && last ? (last.t - first.t) / 1000 : 0,
    discord429s: discord.rateLimitedCount,
    cpuShare,
  };
  worker.kill("SIGTERM");
  await new Promise((r) => worker.once("exit", r));
  await queue.close();
  redis.disconnect();
  await dify.close();
  await discord.close();
  await dropPrefix(prefix);
  log(
    `capacity: held ${result.heldMax} streams, event-loop p99 median ${ms(result.lagP99Ms.p50)} max ${ms(result.lagP99Ms.max)}, peak RSS ${result.peakRssMb.toFixed(0)} MB, ${result.eventsPerSecond.toFixed(0)} events/s, exact finals ${result.exactFinals}/${streams}, Discord 429s ${result.discord429s}, worker CPU ${(result.cpuShare * 100).toFixed(0)}% of a core (${((result.cpuShare / result.eventsPerSecond) * 1e6).toFixed(1)} µs per event)`,
  );
  return [
    `### Concurrent answers held by one worker process: ${streams} answers`,
    "",
    `${streams} answers queued at once, each streamed by the fake Dify at ${TOKENS_PER_SECOND} tokens/s (${TOKENS} tokens of 4 characters, ${(streamMs / 1000).toFixed(0)} s), into ${streams} Discord threads, handled by one worker process (real service, Discord adapter over REST; its placeholders and edits paced by Discord's 50 requests/s per bot). Steady state = the ${result.steadyWindowS.toFixed(0)} s during which at least 98% of the peak number of answers were streaming at once; the fake Dify offers ${streams * TOKENS_PER_SECOND} events/s when all stream, and a worker that falls behind slows its streams down (TCP backpressure), so "consumed" below is what the worker actually kept up with. Event-loop delay: p99 of each 2-s scrape interval of the worker's /metrics. Target: ≥ 1,000 streams with event-loop p99 < 20 ms.`,
    "",
    "| answers streaming at once (peak) | event-loop p99 (median / worst interval) | peak RSS | Dify events consumed | worker CPU (share of one core) | exact final texts | Discord 429s |",
    "|---:|---:|---:|---:|---:|---:|---:|",
    `| ${result.heldMax} | ${ms(result.lagP99Ms.p50)} / ${ms(result.lagP99Ms.max)} | ${result.peakRssMb.toFixed(0)} MB | ${Number.isFinite(result.eventsPerSecond) ? result.eventsPerSecond.toFixed(0) : "n/a"} per s | ${(result.cpuShare * 100).toFixed(0)}% (${((result.cpuShare / result.eventsPerSecond) * 1e6).toFixed(1)} µs per event) | ${result.exactFinals}/${streams} | ${result.discord429s} |`,
    "",
    `For scale: a process that only receives the same ${streams} streams over node:http and counts the chunks (no parsing, no work) used ${(floor.cpuShare * 100).toFixed(0)}% of a core for ${floor.chunksPerSecond.toFixed(0)} chunks/s here, ${floor.microsPerChunk.toFixed(1)} µs per chunk: the floor for any Node.js process receiving this traffic on this machine.`,
    "",
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const section = await runCapacityBench();
  process.stdout.write(`\n${section}\n`);
  process.exit(0);
}
