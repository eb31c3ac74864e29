/**
 * How many concurrent answers one worker process holds while Dify streams each at 50 tokens/s. The worker is
 * the real service in its own process (compiled as the image runs it, `node dist/src/main.js`; BENCH_WORKER_BUILD=tsx
 * for `node --import tsx src/main.ts`), BRIDGE_ROLE=worker, Discord adapter over
 * REST) so its event loop and memory are measured alone; the fake Dify and fake Discord run in this process.
 * Jobs are queued straight into Redis as the ingress would. Event-loop delay and RSS come from the worker's own
 * /metrics (prom-client, sampled every 5 ms, reset at each scrape).
 *
 * Every run is profiled (--cpu-prof): the per-stage table is from the same run as the other figures, so
 * they include the profiler's own cost (a few per cent).
 *
 *   node --import tsx bench/worker-capacity.ts        (part of npm run bench)
 *   BENCH_STREAMS=500,1000,2000 BENCH_TOKENS=3000 node --import tsx bench/worker-capacity.ts
 *   BENCH_WORKER_ROOT=/path/to/other/checkout ...     (profile another version of the worker: "before")
 *   BENCH_WORKER_NODE_ARGS="--heapsnapshot-signal=SIGUSR2" ...   (more node options for the worker, e.g. to take
 *                                                    a heap snapshot at the peak: kill -USR2 <worker pid>)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { InboundMessage } from "../src/contracts/messages.js";
import { type BridgeJobData, jobIdFrom } from "../src/queue/job-types.js";
import { ReplyQueue } from "../src/queue/reply-queue.js";
import { createRedisKeys } from "../src/state/redis-keys.js";
import { ThreadFifo } from "../src/state/thread-fifo.js";
import { type ChatStep, FakeDifyServer, steps } from "../test/fakes/dify/index.js";
import { FakeDiscord } from "../test/fakes/discord/index.js";
import { buildService } from "./lib/build-service.js";
import { STAGES, type Stage, stageTimes } from "./lib/cpu-profile-stages.js";
import { dropPrefix, REDIS_URL } from "./lib/slack-rig.js";
import { measureSocketFloor } from "./lib/socket-floor.js";
import { ms, now, summarize } from "./lib/stats.js";
import { answerText } from "./lib/timed-answer.js";

const QUICK = process.env.BENCH_QUICK === "1";
const SIZES = (process.env.BENCH_STREAMS ?? (QUICK ? "500,1000" : "500,1000,2000")).split(",").map(Number);
const TOKENS = Number(process.env.BENCH_TOKENS ?? (QUICK ? "2000" : "3000"));
const TOKENS_PER_SECOND = 50;
/** Targets: CPU per Dify event, memory per answer in flight, event-loop p99, RSS (item 3 of the goals). */
const TARGET = { microsPerEvent: 15, kbPerAnswer: 150, lagP99Ms: 20, rssMb: 300 } as const;
const WORKER_ROOT = process.env.BENCH_WORKER_ROOT ?? fileURLToPath(new URL("..", import.meta.url));
/**
 * "dist" (default): the worker as the image runs it, compiled by `npm run build` (built here first) and
 * started as `node dist/src/main.js`; "tsx": from the sources through the tsx loader (`npm start`), whose
 * transpiler and source maps add to the idle process.
 */
const WORKER_BUILD = process.env.BENCH_WORKER_BUILD === "tsx" ? "tsx" : "dist";

/**
 * One answer: `text` in 4-character tokens, each due at start + k/rate. Paced against the start (not the
 * previous token), and tokens that fell due while this process was busy go out together, so the rate
 * delivered is the rate asked for unless the reader pushes back.
 */
async function* pacedAnswer(text: string): AsyncGenerator<ChatStep> {
  const chars = Array.from(text);
  const start = now();
  const gapMs = 1000 / TOKENS_PER_SECOND;
  for (let k = 0; k * 4 < chars.length; k++) {
    const wait = start + k * gapMs - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    yield steps.message(chars.slice(k * 4, k * 4 + 4).join(""));
  }
  yield steps.messageEnd({ usage: { completionTokens: Math.ceil(chars.length / 4) } });
}

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
  readonly idleRssMb: number;
  /** V8 heap in use (live objects and garbage not yet collected) at its peak, and before the jobs were queued. */
  readonly peakHeapMb: number;
  readonly idleHeapMb: number;
  /** Finals equal to the answer once whitespace is ignored (byte-exact ones included). */
  readonly finalsButWhitespace: number;
  /** Share of the peak that defined the steady window. */
  readonly plateau: number;
  /** CPU ms per stage over the steady window, and the Dify events of that window. */
  readonly stages: Record<Stage, number>;
  readonly totalEvents: number;
}

export async function runCapacityBench(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string> {
  const sections: string[] = [];
  const results: CapacityResult[] = [];
  if (WORKER_BUILD === "dist") buildService(WORKER_ROOT, (l) => log(`capacity: ${l}`));
  for (const streams of SIZES) {
    const { markdown, result } = await runCapacityOnce(streams, log);
    sections.push(markdown);
    results.push(result);
  }
  return [...sections, formatStages(results), formatTargets(results)].join("\n");
}

const perEvent = (r: CapacityResult, stage: Stage) => (r.stages[stage] * 1000) / Math.max(1, r.totalEvents);
const kbPerAnswer = (r: CapacityResult) => ((r.peakRssMb - r.idleRssMb) * 1000) / Math.max(1, r.heldMax);

function formatStages(results: readonly CapacityResult[]): string {
  return [
    "### Where the worker's CPU goes, per Dify event (CPU profile of each capacity run)",
    "",
    `From \`--cpu-prof\` of the worker in the runs above: CPU time of each stage during the steady window divided by the Dify events delivered in it (bench/lib/cpu-profile-stages.ts charges each sample to the innermost frame that names a stage: receive = node:net/node:http and src/dify/chat-stream.ts; SSE parse = UTF-8 decoding and eventsource-parser; JSON parse = JSON.parse and the zod schemas of src/dify/events.ts; reduce = the answer accumulator, view and layout; pacing = the rest of src/reply; Redis = ioredis, BullMQ and src/rate, src/state, src/queue; platform call = the Discord adapter, discord.js REST and undici; other = start-up, timers, logging, metrics and everything else). Idle time is excluded.`,
    "",
    `| answers | events | ${STAGES.join(" | ")} | total |`,
    `|---:|---:|${STAGES.map(() => "---:").join("|")}|---:|`,
    ...results.map(
      (r) =>
        `| ${r.streams} | ${r.totalEvents} | ${STAGES.map((st) => `${perEvent(r, st).toFixed(1)} µs`).join(" | ")} | ${STAGES.reduce((a, st) => a + perEvent(r, st), 0).toFixed(1)} µs |`,
    ),
    "",
  ].join("\n");
}

function formatTargets(results: readonly CapacityResult[]): string {
  const verdict = (ok: boolean) => (ok ? "met" : "missed");
  return [
    "### Capacity targets",
    "",
    "| answers | CPU per event (≤ 15 µs) | memory per answer in flight (≤ 150 KB) | event-loop p99 median (< 20 ms) | peak RSS (< 300 MB) | Discord 429s (0) | exact finals |",
    "|---:|---:|---:|---:|---:|---:|---:|",
    ...results.map((r) => {
      const us = (r.cpuShare / r.eventsPerSecond) * 1e6;
      return `| ${r.streams} | ${us.toFixed(1)} µs, ${verdict(us <= TARGET.microsPerEvent)} | ${kbPerAnswer(r).toFixed(0)} KB, ${verdict(kbPerAnswer(r) <= TARGET.kbPerAnswer)} | ${ms(r.lagP99Ms.p50)}, ${verdict(r.lagP99Ms.p50 < TARGET.lagP99Ms)} | ${r.peakRssMb.toFixed(0)} MB, ${verdict(r.peakRssMb < TARGET.rssMb)} | ${r.discord429s}, ${verdict(r.discord429s === 0)} | ${r.exactFinals}/${r.streams}, ${verdict(r.exactFinals === r.streams)} |`;
    }),
    "",
  ].join("\n");
}

async function runCapacityOnce(streams: number, log: (line: string) => void): Promise<{ markdown: string; result: CapacityResult }> {
  const floor = await measureSocketFloor(streams, TOKENS_PER_SECOND);
  log(
    `capacity: receiving alone (node:http, no work): ${floor.chunksPerSecond.toFixed(0)} chunks/s at ${(floor.cpuShare * 100).toFixed(0)}% of a core, ${floor.microsPerChunk.toFixed(1)} µs per chunk`,
  );
  const prefix = `bench-cap-${randomUUID().slice(0, 8)}`;
  const discord = await FakeDiscord.start({ heartbeatIntervalMs: 5_000 });
  const dify = await FakeDifyServer.start({ pingIntervalMs: 10_000, recordRequests: false });
  const text = answerText(TOKENS, 7);
  dify.onChat(() => pacedAnswer(text));
  const port = await freePort();
  // BENCH_CPU_PROF=<dir> keeps the profiles there; otherwise a temporary directory, removed after reading.
  const profileDir = process.env.BENCH_CPU_PROF ?? mkdtempSync(join(tmpdir(), "bench-cpu-"));
  const profile = ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, ...(process.env.BENCH_WORKER_NODE_ARGS?.split(" ").filter(Boolean) ?? [])];
  const spawnedAt = performance.now();
  const entry = WORKER_BUILD === "tsx" ? ["--import", "tsx", join(WORKER_ROOT, "src/main.ts")] : [join(WORKER_ROOT, "dist/src/main.js")];
  const worker: ChildProcess = spawn(process.execPath, [...profile, ...entry], {
    cwd: WORKER_ROOT,
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
    // BENCH_DEBUG: the worker's log lines (warn and above) go to this process's stderr.
    stdio: ["ignore", process.env.BENCH_DEBUG ? "inherit" : "ignore", "inherit"],
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
  const idleBody = await fetch(metricsUrl).then(
    (r) => r.text(),
    () => "",
  );
  const idleRss = metric(idleBody, "bridge_process_process_resident_memory_bytes") ?? 0;
  const idleHeap = metric(idleBody, "bridge_process_nodejs_heap_size_used_bytes") ?? 0;

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

  const samples: Array<{
    t: number;
    held: number;
    lagP99: number | undefined;
    rss: number | undefined;
    heap: number | undefined;
    cpu: number | undefined;
    events: number;
  }> = [];
  const streamMs = (TOKENS / TOKENS_PER_SECOND) * 1000;
  const eventsWritten = () => dify.streams.reduce((a, s) => a + s.eventsWritten, 0);
  while (performance.now() - started < streamMs + 180_000) {
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
      heap: metric(body, "bridge_process_nodejs_heap_size_used_bytes"),
      cpu: metric(body, "bridge_process_process_cpu_seconds_total"),
      events: eventsWritten(),
    });
    const last = samples.at(-1);
    log(
      `capacity: t=${((last?.t ?? 0) / 1000).toFixed(0)}s held=${last?.held} lag_p99=${ms((last?.lagP99 ?? Number.NaN) * 1000)} rss=${((last?.rss ?? 0) / 1e6).toFixed(0)}MB heap=${((last?.heap ?? 0) / 1e6).toFixed(0)}MB`,
    );
    if (dify.streams.length >= streams && dify.activeStreamCount === 0) break;
  }
  // Steady state: every answer streaming at once.
  const peak = Math.max(...samples.map((s) => s.held));
  // When the machine is too busy for a plateau (fewer than two samples near the peak), the widest window at
  // 90% of the peak instead; the table says which.
  let steady = samples.filter((s) => s.held >= peak * 0.98);
  const plateau = steady.length >= 2 ? 0.98 : 0.9;
  if (steady.length < 2) steady = samples.filter((s) => s.held >= peak * 0.9);
  const first = steady[0];
  const last = steady.at(-1);
  const eventsPerSecond = first && last && last.t > first.t ? ((last.events - first.events) / (last.t - first.t)) * 1000 : Number.NaN;
  // Worker CPU over the steady window: a share of one core, and per Dify event consumed.
  // A scrape a starved worker did not answer in time has no CPU figure: use the window's first and last that do.
  const withCpu = steady.filter((s) => s.cpu !== undefined);
  const cpuFirst = withCpu[0];
  const cpuLast = withCpu.at(-1);
  const cpuShare =
    cpuFirst?.cpu !== undefined && cpuLast?.cpu !== undefined && cpuLast.t > cpuFirst.t
      ? (cpuLast.cpu - cpuFirst.cpu) / ((cpuLast.t - cpuFirst.t) / 1000)
      : Number.NaN;

  // Let the final texts land (the bot-wide 50 requests/s paces them), then check them.
  const deadline = Date.now() + 240_000;
  // Byte for byte: the thread's bot messages, joined in order, are the answer.
  const isExact = (threadId: string) =>
    discord
      .botMessages(threadId)
      .map((m) => m.content)
      .join("") === text;
  const finalOk = () => threads.filter((t) => isExact(t.id)).length;
  // The same, ignoring whitespace: tells a final that is complete but split at a space from one that is not.
  const squash = (v: string) => v.replace(/\s+/g, "");
  const finalOkButWhitespace = () =>
    threads.filter(
      (t) =>
        squash(
          discord
            .botMessages(t.id)
            .map((m) => m.content)
            .join(""),
        ) === squash(text),
    ).length;
  while (Date.now() < deadline && finalOkButWhitespace() < streams) await new Promise((r) => setTimeout(r, 2_000));
  if (process.env.BENCH_DEBUG) {
    const limited = discord.requests.filter((r) => r.status === 429);
    log(
      `capacity debug: 429s: ${JSON.stringify(limited.slice(0, 8).map((r) => `${r.method} ${r.path.replace(/\d{5,}/g, ":id")} @${(r.at % 100000).toFixed(0)}`))}`,
    );
    const bad = threads.filter((t) => !isExact(t.id)).slice(0, 3);
    for (const t of bad)
      log(
        `capacity debug: thread ${t.id} (answer ${text.length} chars): ${JSON.stringify(discord.botMessages(t.id).map((m) => ({ chars: m.content.length, prefixOfAnswer: text.startsWith(m.content), start: m.content.slice(0, 40) })))} streams=${dify.streams.length}`,
      );
  }
  // The profile is written when the worker exits (its SIGTERM handler shuts down and exits).
  worker.kill("SIGTERM");
  await new Promise((r) => worker.once("exit", r));
  // The steady window only, like the CPU share: start-up and the final flush are not per-event costs.
  const stages = stageTimes(profileDir, started + (first?.t ?? 0) - spawnedAt, started + (last?.t ?? 0) - spawnedAt);
  if (!process.env.BENCH_CPU_PROF) rmSync(profileDir, { recursive: true, force: true });
  const result: CapacityResult = {
    streams: streams,
    heldMax: peak,
    heldWindow: summarize(steady.map((s) => s.held)),
    lagP99Ms: summarize(steady.flatMap((s) => (s.lagP99 === undefined ? [] : [s.lagP99 * 1000]))),
    peakRssMb: Math.max(...samples.map((s) => s.rss ?? 0)) / 1e6,
    eventsPerSecond,
    exactFinals: finalOk(),
    finalsButWhitespace: finalOkButWhitespace(),
    plateau,
    steadyWindowS: first && last ? (last.t - first.t) / 1000 : 0,
    discord429s: discord.rateLimitedCount,
    cpuShare,
    idleRssMb: idleRss / 1e6,
    peakHeapMb: Math.max(...samples.map((s) => s.heap ?? 0)) / 1e6,
    idleHeapMb: idleHeap / 1e6,
    stages,
    totalEvents: first && last ? last.events - first.events : 0,
  };

  await queue.close();
  redis.disconnect();
  await dify.close();
  await discord.close();
  await dropPrefix(prefix);
  log(
    `capacity: held ${result.heldMax} streams, event-loop p99 median ${ms(result.lagP99Ms.p50)} max ${ms(result.lagP99Ms.max)}, peak RSS ${result.peakRssMb.toFixed(0)} MB, ${result.eventsPerSecond.toFixed(0)} events/s, exact finals ${result.exactFinals}/${streams}, Discord 429s ${result.discord429s}, worker CPU ${(result.cpuShare * 100).toFixed(0)}% of a core (${((result.cpuShare / result.eventsPerSecond) * 1e6).toFixed(1)} µs per event)`,
  );
  const delivered = result.eventsPerSecond / Math.max(1, result.heldWindow.p50);
  const markdown = [
    `### Concurrent answers held by one worker process: ${streams} answers`,
    "",
    `${streams} answers queued at once, each asked of the fake Dify at ${TOKENS_PER_SECOND} tokens/s (${TOKENS} tokens of 4 characters, ${(streamMs / 1000).toFixed(0)} s, tokens paced against the answer's start), into ${streams} Discord threads, handled by one worker process (real service, Discord adapter over REST; its placeholders and edits paced by Discord's 50 requests/s per bot), profiled with --cpu-prof. Steady state = the ${result.steadyWindowS.toFixed(0)} s during which at least ${(result.plateau * 100).toFixed(0)}% of the peak number of answers were streaming at once. A worker that falls behind slows its streams down (TCP backpressure), so the rate below is what was delivered and consumed, not what was asked. Event-loop delay: p99 of each 2-s scrape interval of the worker's /metrics. Memory per answer in flight = (peak RSS − RSS before the jobs were queued) ÷ peak answers. JS heap = V8's heap in use at the scrape with the most (live objects and garbage not yet collected), before the jobs in brackets: the part of the RSS growth that is JavaScript objects rather than buffers, code and the heap's reserve. Exact finals: the thread's messages joined are the answer byte for byte (in brackets: equal once whitespace is ignored). Discord stores a message's content with its edges trimmed (the fake does the same); the bridge cuts long answers between two visible characters so nothing is lost at a cut.`,
    "",
    "| answers streaming at once (peak) | delivered per answer | event-loop p99 (median / worst interval) | peak RSS (idle before) | memory per answer | peak JS heap in use (idle before) | Dify events consumed | worker CPU (share of one core) | exact finals | Discord 429s |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    `| ${result.heldMax} | ${delivered.toFixed(1)} tokens/s | ${ms(result.lagP99Ms.p50)} / ${ms(result.lagP99Ms.max)} | ${result.peakRssMb.toFixed(0)} MB (${result.idleRssMb.toFixed(0)} MB) | ${kbPerAnswer(result).toFixed(0)} KB | ${result.peakHeapMb.toFixed(0)} MB (${result.idleHeapMb.toFixed(0)} MB) | ${Number.isFinite(result.eventsPerSecond) ? result.eventsPerSecond.toFixed(0) : "n/a"} per s | ${(result.cpuShare * 100).toFixed(0)}% (${((result.cpuShare / result.eventsPerSecond) * 1e6).toFixed(1)} µs per event) | ${result.exactFinals}/${streams} (${result.finalsButWhitespace}/${streams}) | ${result.discord429s} |`,
    "",
    `For scale: a process that only receives the same ${streams} streams over node:http and counts the chunks (no parsing, no work) used ${(floor.cpuShare * 100).toFixed(0)}% of a core for ${floor.chunksPerSecond.toFixed(0)} chunks/s here, ${floor.microsPerChunk.toFixed(1)} µs per chunk: the floor for any Node.js process receiving this traffic on this machine.`,
    "",
  ].join("\n");
  return { markdown, result };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const section = await runCapacityBench();
  process.stdout.write(`\n${section}\n`);
  process.exit(0);
}
