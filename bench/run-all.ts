/**
 * Every benchmark, in one run, written to BENCHMARKS.md with the machine and the command.
 *
 *   npm run bench                  (node --import tsx bench/run-all.ts)
 *   BENCH_QUICK=1 npm run bench    (every answer shorter, fewer sizes: a few minutes instead of about an hour)
 *
 * Each part can also run alone: bench/first-token.ts, bench/display-lag.ts, bench/worker-capacity.ts,
 * bench/sse-throughput.ts. Sizes: BENCH_LATENCY_SAMPLES, BENCH_LAG_SIZES, BENCH_LAG_LARGE, BENCH_STREAMS,
 * BENCH_TOKENS. A peer bridge: BENCH_PEER_CMD (bench/lib/peer.ts).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { runDisplayLagBench } from "./display-lag.js";
import { runLatencyBench } from "./first-token.js";
import { runSseBench } from "./sse-throughput.js";
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
const sections: string[] = [];
sections.push(await runLatencyBench(log));
sections.push(await runDisplayLagBench(log));
sections.push(await runCapacityBench(log));
sections.push(await runSseBench(log));

clearInterval(sampler);
loads.push(loadavg());
const oneMinute = loads.map((l) => l[0] ?? 0);
const command = `${quick ? "BENCH_QUICK=1 " : ""}${process.env.BENCH_PEER_CMD ? `BENCH_PEER_CMD="${process.env.BENCH_PEER_CMD}" ` : ""}npm run bench`;
const header = [
  "# Benchmarks",
  "",
  `Produced by \`${command}\` (\`node --import tsx bench/run-all.ts\`${quick ? ", quick mode: shorter answers and fewer sizes, see each section" : ""}) on ${started.toISOString().slice(0, 16).replace("T", " ")} UTC: Node ${process.version}, Redis ${redisVersion}, ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux. Everything runs on loopback: the real bridge (core, Redis, BullMQ, the real Slack and Discord adapters on \`@slack/bolt\` and \`discord.js\`) against the fake Dify, Slack and Discord servers of \`test/fakes/\`, which speak the real protocols and enforce the platforms' rate limits. The load generators share the machine with the bridge, and the machine is shared with other work: 1-minute load average ${Math.min(...oneMinute).toFixed(1)}-${Math.max(...oneMinute).toFixed(1)} during the run (median ${[...oneMinute].sort((a, b) => a - b)[Math.floor(oneMinute.length / 2)]?.toFixed(1)}) on ${cpus().length} cores, so CPU-bound figures (capacity, event-loop delay, µs per event) are worse than on an idle machine and vary between runs. Figures are medians and tail percentiles of the samples named in each table.`,
  "",
].join("\n");
writeFileSync(new URL("../BENCHMARKS.md", import.meta.url), `${header}\n${sections.join("\n")}`);
log("\nwritten to BENCHMARKS.md");
process.exit(0);
