/**
 * Budgets under bursts. The fake Slack meters its tiers as buckets that refill continuously
 * (chat.update 50/min, chat.startStream and chat.stopStream 20/min, chat.appendStream 100/min, chat.postMessage
 * 60/min per channel), as the bridge models them.
 *
 * 1. Back to back in one workspace: 1 answer, then 5 at once 11 s later, then 20 at once 11 s after that, every
 *    answer 10 s (500 tokens of ~4 characters at 50 tokens/s). Per wave: mean display lag beside the strict bound
 *    (bench/lib/strict-bound.ts) of the budgets as the wave found them (each bucket's free calls at the wave's
 *    start, refilling at its rate: the steady state a refilling limit gives), best mix of native and edited
 *    streams; final texts after message_end; 429s. Targets: lag within 1.5× of the bound, finals p95 ≤ 2 s, 0 429s.
 * 2. 200 answers at once in a fresh workspace (10 channels of 20): final text after message_end, median beside
 *    the bound of every path that can carry a final (chat.update, chat.stopStream, and chat.postMessage, metered
 *    per channel, less the first messages already posted), ratio to it, when Dify's first tokens and message_end
 *    came (whether the answers really ran together), calls per method, 429s. Target: median within 1.5× of it.
 *
 *   node --import tsx bench/budget-burst.ts        (BENCH_BURST_LARGE=200 to change the large run)
 */
import { randomUUID } from "node:crypto";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { RateBudgetStore } from "../src/rate/rate-budget-store.js";
import { createRedisKeys } from "../src/state/redis-keys.js";
import { buildService } from "./lib/build-service.js";
import { displayLag, type LagResult } from "./lib/display-lag.js";
import { dropPrefix, REDIS_URL, type SlackRig, startSlackRig } from "./lib/slack-rig.js";
import { ms, now, s, summarize } from "./lib/stats.js";
import { SLACK_BUCKETS, strictBoundMs } from "./lib/strict-bound.js";
import { answerText, type TimedAnswer, timedAnswer } from "./lib/timed-answer.js";

const TOKENS = 500;
const TOKENS_PER_SECOND = 50;
const DURATION_MS = (TOKENS / TOKENS_PER_SECOND) * 1000;
const MINUTE = 60_000;
/**
 * BENCH_BURST_OWN_PROCESS=1: the bridge runs in a process of its own, compiled (`node dist/src/main.js`), and
 * the fakes' work does not share its event loop. Default: in this process, beside the fakes (BENCHMARKS.md).
 */
const OWN_PROCESS = process.env.BENCH_BURST_OWN_PROCESS === "1";
const TIERS = { update: 50, start: 20, stop: 20, append: 100 };
/** chat.postMessage: a bucket of 60 per channel, refilling one a second (the fake's model of "1 per second"). */
const POSTS_PER_CHANNEL = 60;
const TARGET = { lagRatio: 1.5, finalsP95Ms: 2_000, largeRatio: 1.5 };
const METHODS = { update: "chat.update", start: "chat.startStream", stop: "chat.stopStream", append: "chat.appendStream" } as const;

interface Wave {
  readonly n: number;
  readonly threads: Array<{ key: string; channel: string; ts: string }>;
  readonly boundMs: number;
  /** When its questions were sent (the fakes' clock). */
  readonly startedAt: number;
}

/** Slack calls per method made from `from` until `to`, e.g. "update 40, startStream 9, …". */
function callsBetween(rig: SlackRig, from: number, to: number): string {
  const methods = ["chat.postMessage", "chat.update", "chat.startStream", "chat.appendStream", "chat.stopStream", "chat.delete"];
  const inWindow = rig.slack.calls.filter((c) => c.atMs >= from && c.atMs < to);
  return methods.map((m) => `${m.slice(5)} ${inWindow.filter((c) => c.method === m).length}`).join(", ");
}

/** The calls the fake answered with 429, by method ("none" when there were none). */
function limitedByMethod(rig: SlackRig): string {
  const counts = new Map<string, number>();
  for (const c of rig.slack.rateLimitedCalls()) counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
  return counts.size === 0 ? "none" : [...counts].map(([m, n]) => `${m} ${n}`).join(", ");
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
  // Polled by the final text alone: working out every thread's lag twice a second took a quarter of the CPU
  // this process shares with the bridge, just when the finals are due. The states keep their times, so the lag
  // is the same worked out once at the end.
  const settled = () => threads.every((t) => rig.finalText(t.channel, t.ts) === answers.get(t.key)?.text);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !settled()) await new Promise((r) => setTimeout(r, 500));
  return results();
}

async function backToBack(log: (line: string) => void): Promise<{ rows: string[]; loneFinalMs: number }> {
  const prefix = `bench-burst-${randomUUID().slice(0, 8)}`;
  const rig = await startSlackRig({ streaming: "auto", prefix, env: { WORKER_CONCURRENCY: "2000" }, ownProcess: OWN_PROCESS });
  const redis = new Redis(REDIS_URL);
  const store = new RateBudgetStore(redis, createRedisKeys(prefix));
  const answers = answersFor(rig);
  const rows: string[] = [];
  let loneFinalMs = Number.NaN;
  try {
    const waves: Wave[] = [];
    let seq = 0;
    for (const [i, n] of [1, 5, 20].entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, 11_000));
      const free = await freeNow(store, rig.slack.team.teamId);
      const bucket = (name: keyof typeof TIERS) => ({ capacity: free[name], perMs: SLACK_BUCKETS[name].perMs });
      const budgets = { update: bucket("update"), start: bucket("start"), stop: bucket("stop"), append: bucket("append") };
      const boundMs = strictBoundMs(
        Array.from({ length: n }, () => ({ durationMs: DURATION_MS, tokens: TOKENS })),
        budgets,
        "both",
      );
      const startedAt = now();
      const threads = await Promise.all(Array.from({ length: n }, async () => ({ key: String(seq), ...(await rig.mention("CBURST", `question #${seq++}`)) })));
      waves.push({ n, threads, boundMs, startedAt });
    }
    for (const [i, wave] of waves.entries()) {
      const results = await settle(rig, answers, wave.threads, 120_000);
      // BENCH_BURST_TRACE=1: when each reply state of the wave appeared (s after its questions) and how much it showed.
      if (process.env.BENCH_BURST_TRACE)
        for (const t of wave.threads) {
          const total = answers.get(t.key)?.text.length ?? 0;
          const states = rig
            .replyStates(t.channel, t.ts)
            .map((v) => `${((v.at - wave.startedAt) / 1000).toFixed(2)}s:${Math.round((100 * v.text.length) / total)}%`);
          log(`  wave ${wave.n} #${t.key}: ${states.join(" ")}`);
        }
      log(`back-to-back wave of ${wave.n}: calls ${callsBetween(rig, wave.startedAt, waves[i + 1]?.startedAt ?? now())}`);
      const lag = results.reduce((a, r) => a + (Number.isFinite(r.meanLagMs) ? r.meanLagMs : 0), 0) / wave.n;
      const finals = summarize(results.flatMap((r) => (r.finalAfterEndMs === undefined ? [] : [r.finalAfterEndMs])));
      if (wave.n === 1) loneFinalMs = finals.p50;
      const ratio = lag / wave.boundMs;
      const ratioText = Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "n/a";
      log(`back-to-back wave of ${wave.n}: mean lag ${ms(lag, 0)} (bound ${ms(wave.boundMs, 0)}), finals p95 ${ms(finals.p95, 0)}`);
      const verdict = (ok: boolean) => (ok ? "met" : "missed");
      rows.push(
        `| ${wave.n} | ${ms(lag, 0)} | ${ms(wave.boundMs, 0)} | ${ratioText}, ${verdict(ratio <= TARGET.lagRatio)} | ${ms(finals.p50, 0)} / ${ms(finals.p95, 0)}, ${verdict(finals.p95 <= TARGET.finalsP95Ms)} | ${results.filter((r) => r.exactFinal).length}/${wave.n} |`,
      );
    }
    const limited = rig.slack.rateLimitedCalls().length;
    log(`back-to-back: 429s ${limitedByMethod(rig)}`);
    rows.push(`| all waves | | | | | 429s: ${limited}, ${limited === 0 ? "met" : "missed"} |`);
  } finally {
    redis.disconnect();
    await rig.close();
    await dropPrefix(prefix);
  }
  return { rows, loneFinalMs };
}

/**
 * The median final's earliest possible time after message_end when all `n` answers (spread over `channels`)
 * end together, counting every path that can carry a final: chat.update and chat.stopStream (a full bucket of
 * each at best, refilling at 50 and 20 per minute, workspace-wide) and chat.postMessage (per channel: its
 * bucket less the placeholders already posted there, refilling one a second, usable by that channel's answers
 * only). The earliest t at which the paths have carried the median final, found by bisection.
 */
function finalsBoundMs(n: number, channels: number): number {
  const median = Math.ceil(n / 2);
  const perChannel = Math.ceil(n / channels);
  const carried = (t: number) => {
    const workspace = TIERS.update + TIERS.stop + ((TIERS.update + TIERS.stop) * t) / MINUTE;
    const postsFree = Math.max(0, POSTS_PER_CHANNEL - perChannel) + (POSTS_PER_CHANNEL * t) / MINUTE;
    return workspace + channels * Math.min(perChannel, postsFree);
  };
  if (carried(0) >= median) return 0;
  let lo = 0;
  let hi = 10 * MINUTE;
  while (hi - lo > 1) {
    const mid = (lo + hi) / 2;
    if (carried(mid) >= median) hi = mid;
    else lo = mid;
  }
  return hi;
}

async function manyAtOnce(n: number, floorMs: number, log: (line: string) => void): Promise<string> {
  const rig = await startSlackRig({ streaming: "auto", env: { WORKER_CONCURRENCY: "2000" }, ownProcess: OWN_PROCESS });
  const answers = answersFor(rig);
  try {
    const channels = Math.ceil(n / 20);
    const threads = await Promise.all(
      Array.from({ length: n }, async (_, i) => ({ key: String(i), ...(await rig.mention(`CMANY${i % channels}`, `question #${i}`)) })),
    );
    const askedAt = now();
    const results = await settle(rig, answers, threads, 600_000);
    // Whether the answers really ended together: a bridge that holds answers back before asking Dify moves the
    // wait out of "final after message_end" into the start; the spread of message_end says which happened.
    const ends = summarize([...answers.values()].flatMap((a) => (a.messageEndAt === undefined ? [] : [a.messageEndAt - askedAt])));
    const firsts = summarize([...answers.values()].flatMap((a) => (a.emitted[0] ? [a.emitted[0].at - askedAt] : [])));
    const finals = summarize(results.flatMap((r) => (r.finalAfterEndMs === undefined ? [] : [r.finalAfterEndMs])));
    const bound = finalsBoundMs(n, channels);
    // With a bound of 0 (the budgets force no wait) a ratio says nothing: the yardstick is then the bound plus
    // what a lone answer's final took after message_end in this same run (the calls themselves).
    const yardstick = bound + floorMs;
    const ratio = finals.p50 / yardstick;
    log(`${n} at once: final p50 ${s(finals.p50)} (bound ${s(bound)}, + lone final ${ms(floorMs, 0)})`);
    const calls = (m: string) => rig.slack.callsTo(m).length;
    // A reposted final carries the post key of part 1000 + its index (REPOSTED_PART in src/reply/operation-applier.ts).
    const reposted = rig.slack.callsTo("chat.postMessage").filter((c) => /\\?"part\\?":\s*1\d{3}\b/.test(JSON.stringify(c.args))).length;
    const used = `${calls("chat.update")} / ${calls("chat.startStream")} / ${calls("chat.appendStream")} / ${calls("chat.stopStream")} / ${calls("chat.postMessage")} / ${calls("chat.delete")}`;
    log(
      `${n} at once: calls update/start/append/stop/post/delete ${used}; first token p50/max ${s(firsts.p50)}/${s(firsts.max)}, message_end p50/max ${s(ends.p50)}/${s(ends.max)} after the questions; 429s ${limitedByMethod(rig)}`,
    );
    return `| ${n} | ${s(finals.p50)} | ${s(bound)} (+ ${ms(floorMs, 0)}) | ${ratio.toFixed(2)}×, ${ratio <= TARGET.largeRatio ? "met" : "missed"} | ${s(finals.p95)} | ${reposted} | ${s(firsts.p50)} / ${s(firsts.max)} | ${s(ends.p50)} / ${s(ends.max)} | ${used} | ${results.filter((r) => r.exactFinal).length}/${n} | ${rig.slack.rateLimitedCalls().length} |`;
  } finally {
    await rig.close();
  }
}

export async function runBudgetBurstBench(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string> {
  if (OWN_PROCESS) buildService(fileURLToPath(new URL("..", import.meta.url)), (l) => log(`budget-burst: ${l}`));
  const { rows: waves, loneFinalMs } = await backToBack(log);
  const large = await manyAtOnce(Number(process.env.BENCH_BURST_LARGE ?? "200"), loneFinalMs, log);
  return [
    "### Budgets under bursts (bench/budget-burst.ts)",
    "",
    "Slack tiers metered by the fake as buckets that refill continuously (chat.update 50/min, chat.startStream and chat.stopStream 20/min, chat.appendStream 100/min, chat.postMessage 60/min per channel), SLACK_STREAMING=auto, one worker. Back to back in one workspace and channel: 1 answer, then 5 at once 11 s later, then 20 at once 11 s after that; every answer 10 s (500 tokens at 50/s). Bound: the strict bound (formula in the display-lag section; bench/lib/strict-bound.ts) with each bucket holding what the bridge's shared budgets had free at the wave's start and refilling at its rate, best mix of native and edited streams. Targets: mean lag within 1.5× of it, final text p95 ≤ 2 s after message_end, 0 429s.",
    "",
    "| wave | mean lag | bound | ratio | final after end p50 / p95 | exact finals |",
    "|---:|---:|---:|---:|---:|---:|",
    ...waves,
    "",
    'All at once in a fresh workspace, 10 channels of 20 answers: final text after message_end. Bound: the median final\'s earliest time after every answer ends together, over every path that can carry a final: chat.update and chat.stopStream (a full bucket each, then 70 per minute) and chat.postMessage (per channel, its bucket less the first messages of its 20 answers (at most what they post), then one a second; a final posted as a new message where the others are spent). Where that bound is 0 (the budgets force no wait), the median is compared with the bound plus a lone answer\'s final-after-end p50 from the back-to-back run (the calls themselves, in brackets). "Reposted": finals that went out as a new message; the message each replaced is removed once chat.delete has room, and "exact finals" counts a thread only once that is done (the thread then shows the answer byte for byte, once).',
    "",
    "| answers | final after end p50 | bound | ratio | p95 | reposted | Dify's first token after the question p50 / max | message_end after the question p50 / max | calls: update / startStream / appendStream / stopStream / postMessage / delete | exact finals | 429s |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    large,
    "",
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.stdout.write(`${await runBudgetBurstBench()}\n`);
  process.exit(0);
}
