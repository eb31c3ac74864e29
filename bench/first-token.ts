/**
 * Latency the bridge adds, on loopback, through the real adapters:
 *  1. first visible token: from the fake Dify writing the first byte of the answer to the first platform call
 *     carrying that text arriving at the fake platform;
 *  2. acknowledgement: from the platform event leaving (signed Slack event POSTed; Discord MESSAGE_CREATE
 *     dispatched on the gateway) to the placeholder post arriving at the fake platform.
 * Answers are asked one after another (no contention). Each Slack workspace takes 10 answers, well inside its
 * per-minute tiers, so the figures are the bridge's own time, not Slack's rate limits (measured separately).
 *
 *   node --import tsx bench/first-token.ts          (part of npm run bench)
 */
import { pathToFileURL } from "node:url";
import { scripts, steps } from "../test/fakes/dify/index.js";
import { startDiscordRig } from "./lib/discord-rig.js";
import { startSlackRig } from "./lib/slack-rig.js";
import { ms, now, summarize } from "./lib/stats.js";

const SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? (process.env.BENCH_QUICK === "1" ? "50" : "200"));
const PER_WORKSPACE = 10;

interface Samples {
  firstToken: number[];
  ack: number[];
}

/** The first words arrive 30 ms after Dify accepts the question, the rest shortly after. */
const answerScript = () => [steps.delay(30), ...scripts.answer("First words of the answer, then the rest of it.", { chunkChars: 12, delayMs: 5 })];

async function waitFor<T>(check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("timed out waiting for the bridge");
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function slackSamples(streaming: "auto" | "edit"): Promise<Samples> {
  const out: Samples = { firstToken: [], ack: [] };
  for (let done = 0; done < SAMPLES; ) {
    const rig = await startSlackRig({ streaming });
    rig.dify.onChat(answerScript);
    for (let i = 0; i < PER_WORKSPACE && done < SAMPLES; i++, done++) {
      const where = await rig.mention("CLATENCY", `question ${i}`);
      const final = await waitFor(() => (rig.finalText(where.channel, where.ts) === "First words of the answer, then the rest of it." ? true : undefined));
      void final;
      const stream = rig.dify.streams.at(-1);
      const states = rig.replyStates(where.channel, where.ts);
      const placeholder = states[0];
      const firstText = states.find((s) => s.text.startsWith("First words"));
      if (placeholder) out.ack.push(placeholder.at - where.sentAt);
      if (firstText && stream?.firstAnswerByteAt) out.firstToken.push(firstText.at - stream.firstAnswerByteAt);
    }
    await rig.close();
  }
  return out;
}

async function discordSamples(): Promise<Samples> {
  const out: Samples = { firstToken: [], ack: [] };
  const rig = await startDiscordRig();
  rig.dify.onChat(answerScript);
  const { discord } = rig;
  for (let i = 0; i < SAMPLES; i++) {
    const sentAt = now();
    const msg = discord.users.sendMessage({ channelId: discord.ids.general, authorId: discord.ids.alice, content: `<@${discord.ids.bot}> question ${i}` });
    await waitFor(() =>
      discord.botMessages(msg.id).some((m) => m.content === "First words of the answer, then the rest of it." && (m.components ?? []).length === 0)
        ? true
        : undefined,
    );
    const stream = rig.dify.streams.at(-1);
    const posts = discord.requests.filter((r) => r.method === "POST" && r.path === `/channels/${msg.id}/messages`);
    const firstPost = posts[0];
    if (firstPost) out.ack.push(firstPost.at - sentAt);
    const bot = discord.botMessages(msg.id)[0];
    const firstEdit = bot?.edits.find((e) => e.content.startsWith("First words"));
    if (firstEdit && stream?.firstAnswerByteAt) out.firstToken.push(firstEdit.at - stream.firstAnswerByteAt);
  }
  await rig.close();
  return out;
}

export async function runLatencyBench(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string> {
  const rows: string[] = [];
  const record = (label: string, s: Samples) => {
    const ft = summarize(s.firstToken);
    const ack = summarize(s.ack);
    rows.push(`| ${label} | ${ft.n} | ${ms(ft.p50)} | ${ms(ft.p99)} | ${ms(ack.p50)} | ${ms(ack.p99)} |`);
    log(`latency: ${label}: first token p50 ${ms(ft.p50)} p99 ${ms(ft.p99)}; ack p50 ${ms(ack.p50)} p99 ${ms(ack.p99)} (n=${ft.n})`);
  };
  record("Slack, HTTP Events API, SLACK_STREAMING=auto", await slackSamples("auto"));
  record("Slack, HTTP Events API, SLACK_STREAMING=edit", await slackSamples("edit"));
  record("Discord, gateway", await discordSamples());
  return [
    "### Latency the bridge adds (one answer at a time)",
    "",
    "First visible token: from the fake Dify writing the answer's first byte to the platform call carrying that text reaching the fake platform (SSE parsing, the reply pipeline, Redis budget check, the adapter's HTTP call). Acknowledgement: from the event leaving the fake platform to the placeholder post reaching it (signature check, dedupe, queue, worker pickup, FIFO check, post; on Discord also creating the thread). Targets: first token p50 ≤ 10 ms and p99 ≤ 50 ms; acknowledgement p99 ≤ 100 ms.",
    "",
    "| path | samples | first token p50 | first token p99 | acknowledgement p50 | acknowledgement p99 |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows,
    "",
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const section = await runLatencyBench();
  process.stdout.write(`\n${section}\n`);
  process.exit(0);
}
