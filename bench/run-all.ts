/**
 * Every benchmark, in one run, written to BENCHMARKS.md with the machine and the command.
 *
 *   npm run bench                  (node --import tsx bench/run-all.ts)
 *
 * Each part can also run alone: bench/first-token.ts, bench/display-lag.ts, bench/worker-capacity.ts,
 * bench/sse-throughput.ts. Sizes: BENCH_LATENCY_SAMPLES, BENCH_LAG_SIZES, BENCH_LAG_LARGE, BENCH_STREAMS,
 * BENCH_TOKENS.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
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

const sections: string[] = [];
sections.push(await runLatencyBench(log));
sections.push(await runDisplayLagBench(log));
sections.push(await runCapacityBench(log));
sections.push(await runSseBench(log));

const header = [
  "# Benchmarks",
  "",
  `Produced by \`npm run bench\` (\`node --import tsx bench/run-all.ts\`) on ${started.toISOString().slice(0, 10)}: Node ${process.version}, Redis ${redisVersion}, ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux. Everything runs on loopback: the real bridge (core, Redis, BullMQ, the real Slack and Discord adapters on \`@slack/bolt\` and \`discord.js\`) against the fake Dify, Slack and Discord servers of \`test/fakes/\`, which speak the real protocols and enforce the platforms' rate limits. The load generators share the machine with the bridge. Figures are medians and tail percentiles of the samples named in each table.`,
  "",
].join("\n");
writeFileSync(new URL("../BENCHMARKS.md", import.meta.url), `${header}\n${sections.join("\n")}`);
log("\nwritten to BENCHMARKS.md");
process.exit(0);
