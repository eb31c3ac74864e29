/**
 * Budgets under bursts. The fake Slack meters its tiers as buckets that refill continuously
 * (chat.update 50/min, chat.startStream and chat.stopStream 20/min, chat.appendStream 100/min, chat.postMessage
 * 60/min per channel), as the bridge models them.
 *
 * 1. Back to back in one workspace: 1 answer, then 5 at once 11 s later, then 20 at once 11 s after that, every
 *    answer 10 s (500 tokens of ~4 characters at 50 tokens/s). Per wave: mean display lag beside the bound the
 *    budgets left at the wave's start allow (what was free then plus what refills during the answer, best mix
 *    of native and edited streams, first text at once), final texts after message_end, 429s.
 * 2. 200 answers at once in a fresh workspace: final text after message_end, median beside the bound of the
 *    paths the bridge ends answers with (chat.update and chat.stopStream: a full bucket of each, then their
 *    refill), ratio to it, 429s.
 *
 *   node --import tsx bench/budget-burst.ts        (BENCH_BURST_LARGE=200 to change the large run)
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { RateBudgetStore } from "../src/rate/rate-budget-store.js";
import { createRedisKeys } from "../src/state/redis-keys.js";
import { bestScheduleLagMs, displayLag, type LagResult } from "./lib/display-lag.js";
import { dropPrefix, REDIS_URL, type SlackRig, startSlackRig } from "./lib/slack-rig.js";
import { ms, now, s, summarize } from "./lib/stats.js";
import { answerText, type TimedAnswer, timedAnswer } from "./lib/timed-answer.js";

const TOKENS = 500;
const TOKENS_PER_SECOND = 50;
const DURATION_MS = (TOKENS / TOKENS_PER_SECOND) * 1000;
const MINUTE = 60_000;
const TIERS = { update: 50, start: 20, stop: 20, append: 100 };
const METHODS = { update: "chat.update", start: "chat.startStream", stop: "chat.stopStream", append: "chat.appendStream" } as const;

interface Wave {
  readonly n: number;
  readonly threads: Array<{ key: string; channel: string; ts: string }>;
  readonly boundMs: number;
}

function answersFor(rig: SlackRig): Map<string, TimedAnswer> {
  const answers = new Map<string, TimedAnswer>();
  rig.dify.onChat((turn) => {
    const key = /#(\d+)/.exec(turn.query)?.[1] ?? "0";
    const t = timedAnswer(answerText(TOKENS, Number(key) + 1), { tokensPerSecond: TOKENS_PER_SECOND });
    answers.set(key, t.answer);
    return t.script();
  });
  return answers;
}

/** What each tier has free now, as the bridge's shared budgets see it. */
async function freeNow(store: RateBudgetStore, teamId: string): Promise<typeof TIERS> {
  const out = { ...TIERS };
  for (const [name, method] of Object.entries(METHODS) as Array<[keyof typeof TIERS, string]>) {
    const [u] = await store.usage([{ key: `slack:${teamId}:${method}`, limit: TIERS[name], windowMs: MINUTE, refill: "continuous" }]);
    out[name] = Math.max(0, TIERS[name] - (u?.used ?? 0));
  }
  return out;
}

async function settle(rig: SlackRig, answers: Map<string, TimedAnswer>, threads: Wave["threads"], timeoutMs: number): Promise<LagResult[]> {
  const results = () =>
    threads.map((t) => {
      const answer = answers.get(t.key);
      return answer
        ? displayLag(answer, rig.replyStates(t.channel, t.ts), rig.finalText(t.channel, t.ts), now())
        : { meanLagMs: Number.NaN, finalAfterEndMs: undefined, exactFinal: false };
    });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !results().every((r) => r.exactFinal)) await new Promise((r) => setTimeout(r, 500));
  return results();
}

async function backToBack(log: (line: string) => void): Promise<string[]> {
  const prefix = `bench-burst-${randomUUID().slice(0, 8)}`;
  const rig = await startSlackRig({ streaming: "auto", prefix, env: { WORKER_CONCURRENCY: "2000" } });
  const redis = new Redis(REDIS_URL);
  const store = new RateBudgetStore(redis, createRedisKeys(prefix));
  const answers = answersFor(rig);
  const rows: string[] = [];
  try {
    const waves: Wave[] = [];
    let seq = 0;
    for (const [i, n] of [1, 5, 20].entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, 11_000));
      const free = await freeNow(store, rig.slack.team.teamId);
      const refill = (per: number) => (per * DURATION_MS) / MINUTE;
      const budgets = { update: free.update + refill(50), start: free.start + refill(20), stop: free.stop + refill(20), append: free.append + refill(100) };
      const boundMs = bestScheduleLagMs(n, DURATION_MS, TOKENS, budgets, { nativeAllowed: true, firstTextAtOnce: true });
      const threads = await Promise.all(Array.from({ length: n }, async () => ({ key: String(seq), ...(await rig.mention("CBURST", `question #${seq++}`)) })));
      waves.push({ n, threads, boundMs });
    }
    for (const wave of waves) {
      const results = await settle(rig, answers, wave.threads, 120_000);
      const lag = results.reduce((a, r) => a + (Number.isFinite(r.meanLagMs) ? r.meanLagMs : 0), 0) / wave.n;
      const finals = summarize(results.flatMap((r) => (r.finalAfterEndMs === undefined ? [] : [r.finalAfterEndMs])));
      const ratio = Number.isFinite(wave.boundMs) ? `${(lag / wave.boundMs).toFixed(2)}×` : "n/a";
      log(`back-to-back wave of ${wave.n}: mean lag ${ms(lag, 0)} (bound ${ms(wave.boundMs, 0)}), finals p95 ${ms(finals.p95, 0)}`);
      rows.push(
        `| ${wave.n} | ${ms(lag, 0)} | ${ms(wave.boundMs, 0)} | ${ratio} | ${ms(finals.p50, 0)} / ${ms(finals.p95, 0)} | ${results.filter((r) => r.exactFinal).length}/${wave.n} |`,
      );
    }
    rows.push(`| all waves | | | | | 429s: ${rig.slack.rateLimitedCalls().length} |`);
  } finally {
    redis.disconnect();
    await rig.close();
    await dropPrefix(prefix);
  }
  return rows;
}

/**
 * The median final's earliest possible time after message_end when all answers end together: finals go out
 * through chat.update and chat.stopStream, each a full bucket at best, then refilling at 50 + 20 per minute.
 */
function finalsBoundMs(n: number): number {
  const atOnce = TIERS.update + TIERS.stop;
  const perMs = (TIERS.update + TIERS.stop) / MINUTE;
  const median = Math.ceil(n / 2);
  return Math.max(0, (median - atOnce) / perMs);
}

async function manyAtOnce(n: number, log: (line: string) => void): Promise<string> {
  const rig = await startSlackRig({ streaming: "auto", env: { WORKER_CONCURRENCY: "2000" } });
  const answers = answersFor(rig);
  try {
    const channels = Math.ceil(n / 20);
    const threads = await Promise.all(
      Array.from({ length: n }, async (_, i) => ({ key: String(i), ...(await rig.mention(`CMANY${i % channels}`, `question #${i}`)) })),
    );
    const results = await settle(rig, answers, threads, 600_000);
    const finals = summarize(results.flatMap((r) => (r.finalAfterEndMs === undefined ? [] : [r.finalAfterEndMs])));
    const bound = finalsBoundMs(n);
    log(`${n} at once: final p50 ${s(finals.p50)} (bound ${s(bound)})`);
    return `| ${n} | ${s(finals.p50)} | ${s(bound)} | ${bound > 0 ? `${(finals.p50 / bound).toFixed(2)}×` : "n/a"} | ${s(finals.p95)} | ${results.filter((r) => r.exactFinal).length}/${n} | ${rig.slack.rateLimitedCalls().length} |`;
  } finally {
    await rig.close();
  }
}

export async function runBudgetBurstBench(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string> {
  const waves = await backToBack(log);
  const large = await manyAtOnce(Number(process.env.BENCH_BURST_LARGE ?? "200"), log);
  return [
    "### Budgets under bursts (bench/budget-burst.ts)",
    "",
    "Slack tiers metered by the fake as buckets that refill continuously (chat.update 50/min, chat.startStream and chat.stopStream 20/min, chat.appendStream 100/min), SLACK_STREAMING=auto. Back to back in one workspace: 1 answer, then 5 at once 11 s later, then 20 at once 11 s after that; every answer 10 s (500 tokens at 50/s). Bound: the lowest mean display lag for that wave given what each budget had free at the wave's start plus what refills during the answer (best mix of native and edited streams, first text at once; bench/lib/display-lag.ts); n/a when those budgets cannot give every stream a first text and a final.",
    "",
    "| wave | mean lag | bound | ratio | final after end p50 / p95 | exact finals |",
    "|---:|---:|---:|---:|---:|---:|",
    ...waves,
    "",
    "All at once in a fresh workspace: final text after message_end. Bound: the median final's earliest time when every answer ends together and finals go out through chat.update and chat.stopStream (a full bucket of each, then 70 per minute); the bridge does not yet post a new message when both are spent, so posts are not counted.",
    "",
    "| answers | final after end p50 | bound | ratio | p95 | exact finals | 429s |",
    "|---:|---:|---:|---:|---:|---:|---:|",
    large,
    "",
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.stdout.write(`${await runBudgetBurstBench()}\n`);
  process.exit(0);
}
