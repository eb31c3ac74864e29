/**
 * Display lag under concurrent streams in one Slack workspace. The fake Slack enforces Slack's tiers per
 * workspace (chat.update 50/min, chat.startStream and chat.stopStream 20/min, chat.appendStream 100/min,
 * chat.postMessage 60/min per channel) and answers 429 past them. n answers start together, each 250 tokens of
 * ~4 characters at 50 tokens/s (5 s), through the real bridge (core + Slack adapter + Redis) and through two
 * naive baselines on the same fakes.
 *
 *   node --import tsx bench/display-lag.ts            (part of npm run bench)
 *   BENCH_LAG_SIZES=1,5,20 BENCH_LAG_LARGE=200 BENCH_LAG_VARIANTS=auto,edit,naive node --import tsx bench/display-lag.ts
 */
import { pathToFileURL } from "node:url";
import { type NaiveStrategy, naiveAnswer } from "./baselines/naive-bridge.js";
import { bestScheduleLagMs, displayLag, type LagResult } from "./lib/display-lag.js";
import { dropPrefix, startSlackRig } from "./lib/slack-rig.js";
import { ms, now, s, summarize } from "./lib/stats.js";
import { answerText, type TimedAnswer, timedAnswer } from "./lib/timed-answer.js";

const TOKENS = 250;
const TOKENS_PER_SECOND = 50;
const DURATION_MS = (TOKENS / TOKENS_PER_SECOND) * 1000;
const SLACK_TIERS = { update: 50, start: 20, stop: 20, append: 100 };
/** Answers the bridge sees before the measured runs (its learned duration then sits within ~5% of 5 s). */
const WARMUP_ANSWERS = 15;

type Variant = "bridge (SLACK_STREAMING=auto)" | "bridge (SLACK_STREAMING=edit)" | `naive: ${NaiveStrategy}`;

export interface LagRun {
  readonly variant: Variant;
  readonly n: number;
  readonly meanLagMs: number;
  readonly streamLag: ReturnType<typeof summarize>;
  readonly finalAfterEnd: ReturnType<typeof summarize>;
  readonly exactFinals: number;
  readonly rateLimited: number;
  /** Best schedule with the first text shown at once (the ratio's reference). */
  readonly boundMs: number;
  /** Best schedule with no constraint on the first text. */
  readonly looseBoundMs: number;
  readonly wallMs: number;
}

async function runOnce(variant: Variant, n: number, timeoutMs: number, prefix: string): Promise<LagRun> {
  const isBridge = variant.startsWith("bridge");
  const streaming = variant.includes("edit") ? "edit" : "auto";
  const rig = await startSlackRig({ streaming, prefix });
  const channels = Math.max(1, Math.ceil(n / 20)); // Slack allows ~1 post/s per channel: spread big runs
  const answers = new Map<string, TimedAnswer>();
  rig.dify.onChat((turn) => {
    const key = /#(\d+)/.exec(turn.query)?.[1] ?? "0";
    const t = timedAnswer(answerText(TOKENS, Number(key) + 1), { tokensPerSecond: TOKENS_PER_SECOND });
    answers.set(key, t.answer);
    return t.script();
  });
  const started = performance.now();
  const threads = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const channel = `CBENCH${i % channels}`;
      if (isBridge) return { key: String(i), ...(await rig.mention(channel, `question #${i}`)) };
      const ts = `${1_700_000_000 + i}.000100`;
      void naiveAnswer({
        strategy: variant.replace("naive: ", "") as NaiveStrategy,
        slackApiUrl: rig.slack.apiUrl,
        botToken: rig.slack.team.botToken,
        difyUrl: rig.dify.baseUrl,
        difyKey: rig.dify.apiKey,
        channel,
        threadTs: ts,
        question: `question #${i}`,
        user: `bench-${i}`,
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
    if (answers.size === n && results().every((r) => r.exactFinal)) break;
  }
  const wallMs = performance.now() - started;
  const final = results();
  const run: LagRun = {
    variant,
    n,
    meanLagMs: final.reduce((a, r) => a + (Number.isFinite(r.meanLagMs) ? r.meanLagMs : 0), 0) / n,
    streamLag: summarize(final.map((r) => r.meanLagMs).filter(Number.isFinite)),
    finalAfterEnd: summarize(final.flatMap((r) => (r.finalAfterEndMs === undefined ? [] : [r.finalAfterEndMs]))),
    exactFinals: final.filter((r) => r.exactFinal).length,
    rateLimited: rig.slack.rateLimitedCalls().length,
    boundMs: bestScheduleLagMs(n, DURATION_MS, TOKENS, SLACK_TIERS, { nativeAllowed: streaming !== "edit" && isBridge, firstTextAtOnce: true }),
    looseBoundMs: bestScheduleLagMs(n, DURATION_MS, TOKENS, SLACK_TIERS, { nativeAllowed: streaming !== "edit" && isBridge, firstTextAtOnce: false }),
    wallMs,
  };
  await rig.close();
  return run;
}

export async function runDisplayLagBench(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string> {
  const sizes = (process.env.BENCH_LAG_SIZES ?? "1,5,20").split(",").map(Number);
  const large = Number(process.env.BENCH_LAG_LARGE ?? "200");
  const allVariants: Variant[] = ["bridge (SLACK_STREAMING=auto)", "bridge (SLACK_STREAMING=edit)", "naive: every-chunk", "naive: timer-500ms"];
  const only = process.env.BENCH_LAG_VARIANTS?.split(",").map((v) => v.trim()); // e.g. "auto,edit" while tuning
  const variants = only ? allVariants.filter((v) => only.some((o) => v.includes(o))) : allVariants;
  const runs: LagRun[] = [];
  // One Redis prefix for the whole benchmark: like a running deployment, the bridge has learned how long
  // answers take (an average it keeps in Redis, which a cold start guesses at 8 s). Warm it up with answers of
  // the same length in a workspace of their own; every measured run then gets a fresh workspace (fresh fake
  // Slack, full budgets).
  const prefix = `bench-lag-${Date.now()}`;
  await runOnce("bridge (SLACK_STREAMING=edit)", WARMUP_ANSWERS, 60_000, prefix);
  for (const n of sizes) {
    for (const v of variants) {
      // A fresh workspace (fake) and Redis prefix per run: every run starts with full budgets.
      // The naive baselines can stall for a minute per 429 (the SDK waits out Retry-After): cap their runs.
      const run = await runOnce(v, n, v.startsWith("naive") ? DURATION_MS + 60_000 : 180_000, prefix);
      runs.push(run);
      log(
        `display lag: ${v}, ${n} streams: mean ${ms(run.meanLagMs, 0)} (bound ${ms(run.boundMs, 0)}, ${(run.meanLagMs / run.boundMs).toFixed(2)}x), final after end p95 ${ms(run.finalAfterEnd.p95, 0)}, exact ${run.exactFinals}/${n}, 429s ${run.rateLimited}`,
      );
    }
  }
  const bigRuns: LagRun[] = [];
  if (large > 0) {
    for (const v of ["bridge (SLACK_STREAMING=auto)", "naive: timer-500ms"] as const) {
      const run = await runOnce(v, large, v.startsWith("naive") ? DURATION_MS + 120_000 : 600_000, prefix);
      bigRuns.push(run);
      log(`display lag: ${v}, ${large} streams: exact ${run.exactFinals}/${large}, 429s ${run.rateLimited}, all final after ${s(run.wallMs)}`);
    }
  }
  await dropPrefix(prefix);
  return formatLagSection(runs, bigRuns);
}

function formatLagSection(runs: readonly LagRun[], bigRuns: readonly LagRun[]): string {
  const rows = runs.map(
    (r) =>
      `| ${r.n} | ${r.variant} | ${ms(r.meanLagMs, 0)} | ${ms(r.streamLag.p50, 0)} / ${ms(r.streamLag.p99, 0)} | ${ms(r.boundMs, 0)} | ${(r.meanLagMs / r.boundMs).toFixed(2)}× | ${ms(r.looseBoundMs, 0)} | ${ms(r.finalAfterEnd.p50, 0)} / ${ms(r.finalAfterEnd.p95, 0)} / ${ms(r.finalAfterEnd.p99, 0)} | ${r.exactFinals}/${r.n} | ${r.rateLimited} |`,
  );
  const ratios = [1, 5, 20].flatMap((n) => {
    const ours = runs.find((r) => r.n === n && r.variant === "bridge (SLACK_STREAMING=auto)");
    return runs
      .filter((r) => r.n === n && r.variant.startsWith("naive"))
      .map(
        (b) =>
          `| ${n} | ${b.variant} | ${(b.meanLagMs / (ours?.meanLagMs ?? Number.NaN)).toFixed(1)}× | ${b.rateLimited} vs ${ours?.rateLimited ?? "?"} | ${b.exactFinals}/${n} vs ${ours?.exactFinals ?? "?"}/${n} |`,
      );
  });
  const big = bigRuns.map((r) => `| ${r.n} | ${r.variant} | ${r.exactFinals}/${r.n} | ${r.rateLimited} | ${s(r.wallMs)} |`);
  return [
    "### Display lag behind the model (Slack tiers enforced per workspace)",
    "",
    `Each answer: ${TOKENS} tokens of ~4 characters at ${TOKENS_PER_SECOND} tokens/s (${DURATION_MS / 1000} s). Lag = when a character first became visible minus when the fake Dify sent it, averaged over every character (trailing whitespace counts as shown with the text before it). Before the measured runs the bridge answers ${WARMUP_ANSWERS} questions of the same length in a workspace of its own: it paces updates by the typical answer duration, which it learns and keeps in Redis across restarts (a bridge that has seen no answer assumes 8 s). "Bound" is the lowest mean lag the budgets allow for this load: every stream's share of the budgets spent in evenly spaced updates, with the best split between native streams and edits (edits only for SLACK_STREAMING=edit and the baselines). The bridge shows each answer's first text the moment it arrives (time to first token comes first), so its reference bound spreads the remaining updates; the looser bound, which would delay the first text, is shown beside it. "Final after end" is from Dify's message_end to the exact final text on Slack.`,
    "",
    "| streams | variant | mean lag | per-stream p50 / p99 | bound (first text at once) | ratio to bound | bound (no first-text rule) | final after end p50 / p95 / p99 | exact final texts | HTTP 429s |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    "Baselines against the bridge (SLACK_STREAMING=auto), same load:",
    "",
    "| streams | baseline | its mean lag ÷ ours | 429s (theirs vs ours) | exact finals (theirs vs ours) |",
    "|---:|---|---:|---:|---:|",
    ...ratios,
    ...(big.length
      ? [
          "",
          "Many streams at once (all final texts must land, no 429):",
          "",
          "| streams | variant | exact final texts | HTTP 429s | until the last final text |",
          "|---:|---|---:|---:|---:|",
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
