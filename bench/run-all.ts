/**
 * Every benchmark, in one run, written to BENCHMARKS.md with the machine and the command.
 *
 *   npm run bench                  (node --import tsx bench/run-all.ts)
 *   BENCH_QUICK=1 npm run bench    (every answer shorter, fewer sizes: a few minutes instead of about an hour)
 *
 * Each part can also run alone: bench/first-token.ts, bench/display-lag.ts, bench/worker-capacity.ts,
 * bench/sse-throughput.ts, bench/takeover.ts, bench/budget-burst.ts. Sizes: BENCH_LATENCY_SAMPLES,
 * BENCH_LAG_SIZES, BENCH_LAG_LARGE, BENCH_STREAMS, BENCH_TOKENS, BENCH_TAKEOVER_RUNS, BENCH_BURST_LARGE.
 * A peer bridge: BENCH_PEER_CMD (bench/lib/peer.ts). BENCH_PARTS=takeover,burst (any of latency, lag,
 * capacity, sse, takeover, burst) runs only those parts and keeps the other sections of BENCHMARKS.md as they
 * were, saying so.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { runBudgetBurstBench } from "./budget-burst.js";
import { runDisplayLagBench } from "./display-lag.js";
import { runLatencyBench } from "./first-token.js";
import { runSseBench } from "./sse-throughput.js";
import { runTakeoverBench } from "./takeover.js";
import { runCapacityBench } from "./worker-capacity.js";

const log = (line: string) => process.stdout.write(`${line}\n`);
const started = new Date();
const redisVersion = (() => {
  try {
    return (
      execFileSync("redis-server", ["--version"], { encoding: "utf8" })
        .trim()
        .split(" ")
        .find((p) => p.startsWith("v="))
        ?.slice(2) ?? "?"
    );
  } catch {
    return "?";
  }
})();

const quick = process.env.BENCH_QUICK === "1";
const loads: number[][] = [loadavg()];
const sampler = setInterval(() => loads.push(loadavg()), 10_000);
if (quick) process.env.BENCH_TAKEOVER_RUNS ??= "3";
const PARTS = {
  latency: { headings: ["### Latency the bridge adds"], run: runLatencyBench },
  lag: { headings: ["### Display lag behind the model"], run: runDisplayLagBench },
  capacity: {
    headings: ["### Concurrent answers held by one worker process", "### Where the worker's CPU goes", "### Capacity targets"],
    run: runCapacityBench,
  },
  sse: { headings: ["### Dify SSE parsing throughput"], run: runSseBench },
  takeover: { headings: ["### Takeover after a worker is killed"], run: runTakeoverBench },
  burst: { headings: ["### Budgets under bursts"], run: runBudgetBurstBench },
} as const;
type Part = keyof typeof PARTS;
const chosen = (process.env.BENCH_PARTS?.split(",").map((p) => p.trim()) ?? Object.keys(PARTS)) as Part[];
const unknown = chosen.filter((p) => !(p in PARTS));
if (unknown.length > 0) throw new Error(`BENCH_PARTS: unknown part(s) ${unknown.join(", ")}; known: ${Object.keys(PARTS).join(", ")}`);
const partial = chosen.length < Object.keys(PARTS).length;
const fresh = new Map<Part, string>();
for (const part of chosen) fresh.set(part, await PARTS[part].run(log));
// A partial run keeps the other parts' sections from the file as they were (and says so in the header).
const previous = partial ? readFileSync(new URL("../BENCHMARKS.md", import.meta.url), "utf8") : "";
const sections: string[] = [];
for (const [part, { headings }] of Object.entries(PARTS) as Array<[Part, { headings: readonly string[] }]>) {
  const now = fresh.get(part);
  if (now !== undefined) sections.push(now);
  else {
    const kept = keptSections(previous, headings);
    if (kept) sections.push(kept);
  }
}

/** Every section of `markdown` whose heading starts with one of `headings`, each up to the next section. */
function keptSections(markdown: string, headings: readonly string[]): string | undefined {
  const blocks = markdown.split(/\n(?=### )/);
  const mine = blocks.filter((b) => headings.some((h) => b.startsWith(h)));
  return mine.length > 0 ? `${mine.join("\n").trimEnd()}\n` : undefined;
}

clearInterval(sampler);
loads.push(loadavg());
const oneMinute = loads.map((l) => l[0] ?? 0);
const command = `${quick ? "BENCH_QUICK=1 " : ""}${process.env.BENCH_STREAMS ? `BENCH_STREAMS=${process.env.BENCH_STREAMS} ` : ""}${partial ? `BENCH_PARTS=${chosen.join(",")} ` : ""}${process.env.BENCH_PEER_CMD ? `BENCH_PEER_CMD="${process.env.BENCH_PEER_CMD}" ` : ""}npm run bench`;
const header = [
  "# Benchmarks",
  "",
  `Produced by \`${command}\` (\`node --import tsx bench/run-all.ts\`${quick ? ", quick mode: shorter answers and fewer sizes, see each section" : ""}) on ${started.toISOString().slice(0, 16).replace("T", " ")} UTC: Node ${process.version}, Redis ${redisVersion}, ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux. Everything runs on loopback: the real bridge (core, Redis, BullMQ, the real Slack and Discord adapters on \`@slack/bolt\` and \`discord.js\`) against the fake Dify, Slack and Discord servers of \`test/fakes/\`, which speak the real protocols and enforce the platforms' rate limits. The load generators share the machine with the bridge: 1-minute load average ${Math.min(...oneMinute).toFixed(1)}-${Math.max(...oneMinute).toFixed(1)} during the run (median ${[...oneMinute].sort((a, b) => a - b)[Math.floor(oneMinute.length / 2)]?.toFixed(1)}) on ${cpus().length} cores, the bridge and its load generators included; where it exceeds the cores, other work competed for them and CPU-bound figures (capacity, event-loop delay, µs per event) are worse than on an idle machine. CPU-bound figures vary between runs. Figures are medians and tail percentiles of the samples named in each table.`,
  ...(partial
    ? [
        "",
        `This invocation ran only these parts: ${chosen.join(", ")}. The sections of the other parts are kept from the previous run of \`npm run bench\` as they were (their own header lines inside are not repeated here; see git history for the run that produced them).`,
      ]
    : []),
  "",
].join("\n");
writeFileSync(new URL("../BENCHMARKS.md", import.meta.url), `${header}\n${sections.join("\n")}`);
log("\nwritten to BENCHMARKS.md");
process.exit(0);
