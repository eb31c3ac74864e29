/**
 * Display lag under concurrent streams in one Slack workspace. The fake Slack enforces Slack's tiers per
 * workspace as refilling buckets (chat.update 50/min, chat.startStream and chat.stopStream 20/min,
 * chat.appendStream 100/min, chat.postMessage 60/min per channel) and answers 429 past them. n answers start
 * together, their lengths drawn from a fixed-seed distribution (1-60 s, most short) or all of the old uniform
 * 5 s, at 50 tokens/s, through the real bridge (core + Slack adapter + Redis), naive baselines of the same
 * Slack mode, and a peer bridge when BENCH_PEER_CMD names one (bench/lib/peer.ts).
 *
 *   node --import tsx bench/display-lag.ts            (part of npm run bench)
 *   BENCH_QUICK=1 BENCH_LAG_SIZES=1,5,20 BENCH_LAG_VARIANTS=auto,edit node --import tsx bench/display-lag.ts
 */
import { pathToFileURL } from "node:url";
import { type NaiveMode, type NaiveStrategy, naiveAnswer } from "./baselines/naive-bridge.js";
import { displayLag, type LagResult } from "./lib/display-lag.js";
import { type PeerCommand, peerFromEnv } from "./lib/peer.js";
import { dropPrefix, startSlackRig } from "./lib/slack-rig.js";
import { ms, now, s, summarize } from "./lib/stats.js";
import { type BoundModes, SLACK_BUCKETS, STRICT_BOUND_FORMULA, strictBoundMs } from "./lib/strict-bound.js";
import { answerText, type TimedAnswer, timedAnswer } from "./lib/timed-answer.js";
import { answerTokens, describeWorkload, TOKENS_PER_SECOND, type WorkloadName } from "./lib/workload.js";

const QUICK = process.env.BENCH_QUICK === "1";
/** BENCH_QUICK: every answer length × 0.2 (mixed 0.2-12 s), so the whole run takes minutes. */
const SCALE = QUICK ? 0.2 : 1;
/** Answers every measured bridge (baselines and peer alike) sees before its measured runs, in a workspace of their own. */
const WARMUP_ANSWERS = 8;
const WARMUP_SEED = 99;
/** Item 4 of the targets: mean display lag within this factor of the strict bound. */
const TARGET_RATIO = 1.25;

interface Variant {
  readonly label: string;
  /** The Slack mode, for the bound and for same-mode comparisons ("auto" may use both). */
  readonly mode: "auto" | "edit" | "native";
  readonly kind: "bridge" | "naive" | "peer";
  readonly strategy?: NaiveStrategy;
}

export interface LagRun {
  readonly variant: Variant;
  readonly workload: WorkloadName;
  readonly n: number;
  readonly meanLagMs: number;
  readonly streamLag: ReturnType<typeof summarize>;
  readonly finalAfterEnd: ReturnType<typeof summarize>;
  readonly exactFinals: number;
  readonly rateLimited: number;
  readonly boundMs: number;
  /** Tokens per second the fake Dify actually delivered, mean over the answers. */
  readonly deliveredRate: number;
  readonly wallMs: number;
}

const boundModes = (mode: Variant["mode"]): BoundModes => (mode === "auto" ? "both" : mode);

async function runOnce(variant: Variant, tokens: readonly number[], timeoutMs: number, prefix: string, peer?: PeerCommand): Promise<LagRun> {
  const n = tokens.length;
  const rig = await startSlackRig({ streaming: variant.mode, prefix, ...(variant.kind === "peer" && peer ? { peer } : {}) });
  const channels = Math.max(1, Math.ceil(n / 20)); // Slack allows ~1 post/s per channel: spread big runs
  const answers = new Map<string, TimedAnswer>();
  rig.dify.onChat((turn) => {
    const key = /#(\d+)/.exec(turn.query)?.[1] ?? "0";
    const t = timedAnswer(answerText(tokens[Number(key)] ?? 1, Number(key) + 1), { tokensPerSecond: TOKENS_PER_SECOND });
    answers.set(key, t.answer);
    return t.script();
  });
  const started = performance.now();
  const threads = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const channel = `CBENCH${i % channels}`;
      if (variant.kind !== "naive") return { key: String(i), ...(await rig.mention(channel, `question #${i}`)) };
      const ts = `${1_700_000_000 + i}.000100`;
      void naiveAnswer({
        strategy: variant.strategy as NaiveStrategy,
        mode: variant.mode as NaiveMode,
        slackApiUrl: rig.slack.apiUrl,
        botToken: rig.slack.team.botToken,
        teamId: rig.slack.team.teamId,
        difyUrl: rig.dify.baseUrl,
        difyKey: rig.dify.apiKey,
        channel,
        threadTs: ts,
        question: `question #${i}`,
        user: `UBENCH${i}`,
      }).catch(() => undefined);
      return { key: String(i), channel, ts };
    }),
  );
  const results = (): LagResult[] =>
    threads.map((t) => {
      const answer = answers.get(t.key);
      return answer
        ? displayLag(answer, rig.replyStates(t.channel, t.ts), rig.finalText(t.channel, t.ts), now())
        : { meanLagMs: Number.NaN, finalAfterEndMs: undefined, exactFinal: false };
    });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    // Polled by the final text alone (the lag is worked out once, below): the process shares its CPU with the bridge.
    if (answers.size === n && threads.every((t) => rig.finalText(t.channel, t.ts) === answers.get(t.key)?.text)) break;
  }
  const wallMs = performance.now() - started;
  const final = results();
  // Characters weigh alike across answers, as in the bound.
  const chars = threads.map((t) => answers.get(t.key)?.emitted.at(-1)?.chars ?? 0);
  const totalChars = chars.reduce((a, c) => a + c, 0);
  const rates = [...answers.values()].flatMap((a) => {
    const first = a.emitted[0];
    const last = a.emitted.at(-1);
    return first && last && last.at > first.at ? [((a.emitted.length - 1) / (last.at - first.at)) * 1000] : [];
  });
  const durations = tokens.map((t) => (t / TOKENS_PER_SECOND) * 1000);
  const run = {
    variant,
    workload: "mixed" as WorkloadName,
    n,
    meanLagMs: final.reduce((a, r, i) => a + (Number.isFinite(r.meanLagMs) ? r.meanLagMs * (chars[i] as number) : 0), 0) / Math.max(1, totalChars),
    streamLag: summarize(final.map((r) => r.meanLagMs).filter(Number.isFinite)),
    finalAfterEnd: summarize(final.flatMap((r) => (r.finalAfterEndMs === undefined ? [] : [r.finalAfterEndMs]))),
    exactFinals: final.filter((r) => r.exactFinal).length,
    rateLimited: rig.slack.rateLimitedCalls().length,
    boundMs: strictBoundMs(
      durations.map((d, i) => ({ durationMs: d, tokens: tokens[i] as number })),
      SLACK_BUCKETS,
      boundModes(variant.mode),
    ),
    deliveredRate: rates.reduce((a, r) => a + r, 0) / Math.max(1, rates.length),
    wallMs,
  };
  await rig.close();
  return run;
}

function variantsFromEnv(peer: PeerCommand | undefined): Variant[] {
  const all: Variant[] = [
    { label: "bridge (SLACK_STREAMING=auto)", mode: "auto", kind: "bridge" },
    { label: "bridge (SLACK_STREAMING=edit)", mode: "edit", kind: "bridge" },
    { label: "bridge (SLACK_STREAMING=native)", mode: "native", kind: "bridge" },
    { label: "naive edit: timer-500ms", mode: "edit", kind: "naive", strategy: "timer-500ms" },
    { label: "naive native: timer-500ms", mode: "native", kind: "naive", strategy: "timer-500ms" },
    // Every chunk stalls a minute per 429 (the SDK waits out Retry-After): left out of the quick run.
    ...(QUICK
      ? []
      : ([
          { label: "naive edit: every-chunk", mode: "edit", kind: "naive", strategy: "every-chunk" },
          { label: "naive native: every-chunk", mode: "native", kind: "naive", strategy: "every-chunk" },
        ] as const)),
    ...(peer ? [{ label: `peer: ${peer.name} (SLACK_STREAMING=auto)`, mode: "auto", kind: "peer" } as const] : []),
  ];
  const only = process.env.BENCH_LAG_VARIANTS?.split(",").map((v) => v.trim());
  return only ? all.filter((v) => only.some((o) => v.label.includes(o))) : all;
}

export async function runDisplayLagBench(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string> {
  const sizes = (process.env.BENCH_LAG_SIZES ?? "1,5,20").split(",").map(Number);
  const large = Number(process.env.BENCH_LAG_LARGE ?? (QUICK ? "0" : "200"));
  const workloads: WorkloadName[] = ["mixed", "uniform"];
  const peer = peerFromEnv();
  const variants = variantsFromEnv(peer);
  const warmupTokens = answerTokens("mixed", WARMUP_ANSWERS, SCALE, WARMUP_SEED);
  const runs: LagRun[] = [];
  const bigRuns: LagRun[] = [];
  for (const v of variants) {
    // Each bridge keeps what it learns (typical answer duration) in Redis under its own prefix, like a
    // deployment: the same warm-up for every variant, then its measured runs in fresh workspaces.
    const prefix = `bench-lag-${Date.now()}-${runs.length}`;
    const maxWarm = Math.max(...warmupTokens) / TOKENS_PER_SECOND;
    await runOnce(v, warmupTokens, maxWarm * 1000 + 60_000, prefix, peer);
    for (const workload of workloads) {
      for (const n of sizes) {
        const tokens = answerTokens(workload, n, SCALE);
        const longestMs = (Math.max(...tokens) / TOKENS_PER_SECOND) * 1000;
        const run = { ...(await runOnce(v, tokens, longestMs + (v.kind === "naive" ? 60_000 : 120_000), prefix, peer)), workload };
        runs.push(run);
        log(
          `display lag: ${v.label}, ${workload}, ${n} streams: mean ${ms(run.meanLagMs, 0)} (strict bound ${ms(run.boundMs, 0)}, ${(run.meanLagMs / run.boundMs).toFixed(2)}x), exact ${run.exactFinals}/${n}, 429s ${run.rateLimited}, delivered ${run.deliveredRate.toFixed(1)} tokens/s`,
        );
      }
    }
    if (large > 0 && (v.label === "bridge (SLACK_STREAMING=auto)" || v.label === "naive edit: timer-500ms")) {
      const tokens = answerTokens("mixed", large, SCALE);
      const longestMs = (Math.max(...tokens) / TOKENS_PER_SECOND) * 1000;
      const run = { ...(await runOnce(v, tokens, longestMs + 600_000, prefix, peer)), workload: "mixed" as const };
      bigRuns.push(run);
      log(`display lag: ${v.label}, ${large} streams: exact ${run.exactFinals}/${large}, 429s ${run.rateLimited}, last final after ${s(run.wallMs)}`);
    }
    await dropPrefix(prefix);
  }
  return formatLagSection(runs, bigRuns, sizes, warmupTokens);
}

const ratio = (r: LagRun) => r.meanLagMs / r.boundMs;

function formatLagSection(runs: readonly LagRun[], bigRuns: readonly LagRun[], sizes: readonly number[], warmupTokens: readonly number[]): string {
  const row = (r: LagRun) =>
    `| ${r.n} | ${r.workload} | ${r.variant.label} | ${ms(r.meanLagMs, 0)} | ${ms(r.streamLag.p50, 0)} / ${ms(r.streamLag.p99, 0)} | ${ms(r.boundMs, 0)} | ${ratio(r).toFixed(2)}× | ${ms(r.finalAfterEnd.p50, 0)} / ${ms(r.finalAfterEnd.p95, 0)} / ${ms(r.finalAfterEnd.p99, 0)} | ${r.exactFinals}/${r.n} | ${r.rateLimited} | ${r.deliveredRate.toFixed(1)} |`;
  const sameMode = (["edit", "native"] as const).flatMap((mode) =>
    runs
      .filter((r) => r.variant.kind === "bridge" && r.variant.mode === mode)
      .flatMap((ours) =>
        runs
          .filter((b) => b.variant.kind === "naive" && b.variant.mode === mode && b.n === ours.n && b.workload === ours.workload)
          .map(
            (b) =>
              `| ${ours.n} | ${ours.workload} | ${mode} | ${b.variant.label} | ${ms(b.meanLagMs, 0)} vs ${ms(ours.meanLagMs, 0)} | ${(b.meanLagMs / ours.meanLagMs).toFixed(2)}× | ${b.rateLimited} vs ${ours.rateLimited} | ${b.exactFinals}/${b.n} vs ${ours.exactFinals}/${ours.n} |`,
          ),
      ),
  );
  const peers = runs.filter((r) => r.variant.kind === "peer");
  const targets = runs
    .filter((r) => r.variant.kind === "bridge" && r.workload === "mixed" && sizes.includes(r.n))
    .map(
      (r) =>
        `| ${r.n} | ${r.variant.label} | ${ratio(r).toFixed(2)}× | ${ratio(r) <= TARGET_RATIO && r.rateLimited === 0 && r.exactFinals === r.n ? "met" : "missed"} |`,
    );
  const big = bigRuns.map(
    (r) =>
      `| ${r.n} | ${r.variant.label} | ${r.exactFinals}/${r.n} | ${r.rateLimited} | ${ms(r.finalAfterEnd.p50, 0)} / ${ms(r.finalAfterEnd.p99, 0)} | ${s(r.wallMs)} |`,
  );
  const peerNote = peerFromEnv()
    ? `A peer bridge (${peerFromEnv()?.name}) ran in the same invocation on the same fakes, warm-up and workloads; its rows are marked "peer".`
    : "No peer bridge was configured for this run (BENCH_PEER_CMD unset), so there are no peer rows. To compare with another bridge, set `BENCH_PEER_CMD` to a shell command starting it (it gets SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, DIFY_API_URL, DIFY_API_KEY, PORT, REDIS_URL, REDIS_PREFIX, SLACK_STREAMING) and, if its Events API path is not /slack/events, `BENCH_PEER_EVENTS_PATH`; `BENCH_PEER_NAME` labels its rows.";
  return [
    "### Display lag behind the model (Slack tiers enforced per workspace)",
    "",
    `Workloads, at ${TOKENS_PER_SECOND} tokens/s of ~4 characters: ${describeWorkload("mixed", SCALE)}; ${describeWorkload("uniform", SCALE)} (the earlier benchmark's, for comparison). Lag = when a character first became visible minus when the fake Dify sent it, averaged over every character of every answer (trailing whitespace counts as shown with the text before it). Warm-up, identical for every variant (bridges, baselines, peer), each under its own Redis prefix: ${warmupTokens.length} answers at once with lengths ${warmupTokens.map((t) => `${(t / TOKENS_PER_SECOND).toFixed(1)} s`).join(", ")} (mixed distribution, seed ${WARMUP_SEED}), in a workspace of its own; every measured run then gets a fresh workspace (full budgets). The bridge keeps learning typical answer durations from its measured runs, as a deployment would (mixed runs come first). "Exact finals" = the thread shows the answer byte for byte. "Delivered" = tokens per second the fake Dify actually sent (mean over answers).`,
    "",
    `Strict bound (the only bound; no design choice of the bridge in it): ${STRICT_BOUND_FORMULA}. Buckets as the fake meters them: chat.update 50 + 50/min, chat.startStream and chat.stopStream 20 + 20/min, chat.appendStream 100 + 100/min. Edited runs and edit baselines are bounded by edits only, native ones by native streams only, SLACK_STREAMING=auto by the best split (bench/lib/strict-bound.ts).`,
    "",
    "| streams | workload | variant | mean lag | per-stream p50 / p99 | strict bound | ratio | final after end p50 / p95 / p99 | exact finals | HTTP 429s | delivered tokens/s |",
    "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...runs.map(row),
    "",
    "Same-mode baselines (each bridge mode against naive bridges of that mode, same workload and streams):",
    "",
    "| streams | workload | mode | baseline | mean lag (theirs vs ours) | theirs ÷ ours | 429s (theirs vs ours) | exact finals (theirs vs ours) |",
    "|---:|---|---|---|---:|---:|---:|---:|",
    ...sameMode,
    "",
    peerNote,
    ...(peers.length
      ? ["", `Peer rows: ${peers.map((p) => `${p.n} streams ${p.workload}: ${ms(p.meanLagMs, 0)} (${ratio(p).toFixed(2)}× bound)`).join("; ")}.`]
      : []),
    "",
    `Target: mean lag within ${TARGET_RATIO}× of the strict bound at 1, 5 and 20 streams under the mixed workload, 0 429s, every final exact:`,
    "",
    "| streams | variant | ratio | target |",
    "|---:|---|---:|---|",
    ...targets,
    ...(big.length
      ? [
          "",
          "Many streams at once, mixed lengths (all final texts must land, no 429):",
          "",
          "| streams | variant | exact finals | HTTP 429s | final after end p50 / p99 | until the last final text |",
          "|---:|---|---:|---:|---:|---:|",
          ...big,
        ]
      : []),
    "",
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const section = await runDisplayLagBench();
  process.stdout.write(`\n${section}\n`);
  process.exit(0);
}
