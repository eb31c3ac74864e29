/**
 * SSE parsing throughput: a realistic Dify transcript (thousands of events, mixed ASCII/CJK/emoji text, pings,
 * Chatflow node events, citations) cut into 1-16 KB chunks as a socket delivers them, decoded by
 * `createSseDecoder` and typed by `parseDifyEvent`. Prints medians; asserts nothing.
 *
 *   npm run bench:sse            (node --import tsx bench/sse-throughput.ts)
 *   BENCH_SSE_RUNS=15 npm run bench:sse
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseDifyEvent } from "../src/dify/events.js";
import { createSseDecoder } from "../src/dify/sse.js";

const CONVERSATION = "45701982-8118-4bc5-8e9b-64562b4555f2";
const TOKENS = [
  " the",
  " answer",
  " is",
  " 42",
  ".",
  "\n\n",
  " 你好",
  "世界",
  "。",
  " 👋",
  "🇯🇵",
  " café",
  " naïve",
  " — ",
  " **bold**",
  " `code`",
  " 今日",
  "は",
  " 안녕",
  "하세요",
  " Ünïcödé",
  " 👨‍👩‍👧",
];

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One Chatflow-style turn of `deltas` text events, as Dify 1.12.1 writes it (compact, raw UTF-8). */
function turn(index: number, deltas: number, random: () => number): string {
  const head = (event: string) =>
    `{"event":"${event}","conversation_id":"${CONVERSATION}","message_id":"m-${index}","created_at":1770388831,"task_id":"t-${index}"`;
  const node = (event: string, title: string) =>
    `data: ${head(event)},"workflow_run_id":"w-${index}","data":{"id":"n-${index}-${title}","node_id":"1718000000001","node_type":"llm","title":"${title}","index":2,"predecessor_node_id":null,"inputs":{},"created_at":1770388831,"extras":{}}}\n\n`;
  let out = node("workflow_started", "Start") + node("node_started", "LLM");
  for (let i = 0; i < deltas; i++) {
    const answer = TOKENS[Math.floor(random() * TOKENS.length)] as string;
    out += `data: ${head("message")},"id":"m-${index}","answer":${JSON.stringify(answer)},"from_variable_selector":["1718000000001","text"]}\n\n`;
    if (i % 250 === 249) out += "event: ping\n\n";
  }
  out += node("node_finished", "LLM") + node("workflow_finished", "End");
  const citation = `{"position":1,"dataset_name":"Handbook","document_name":"time-off.md","score":0.83,"content":"${"Time off is requested in the HR portal. ".repeat(8)}","doc_metadata":{"url":"https://handbook.example.com/time-off"}}`;
  const usage = `{"prompt_tokens":1033,"prompt_unit_price":"0.15","prompt_price_unit":"0.000001","prompt_price":"0.0001550","completion_tokens":${deltas},"completion_unit_price":"0.6","completion_price_unit":"0.000001","completion_price":"0.0002880","total_tokens":${1033 + deltas},"total_price":"0.0004430","currency":"USD","latency":2.31,"time_to_first_token":0.41,"time_to_generate":1.9}`;
  out += `data: ${head("message_end")},"id":"m-${index}","metadata":{"retriever_resources":[${citation}],"usage":${usage}},"files":[]}\n\n`;
  return out;
}

/** The transcript as socket reads: pieces of 1-16 KB at seeded random sizes (cutting through characters). */
function chunked(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; ) {
    const size = 1024 + Math.floor(random() * 15 * 1024);
    chunks.push(bytes.subarray(i, i + size));
    i += size;
  }
  return chunks;
}

interface RunResult {
  readonly ms: number;
  readonly events: number;
  readonly malformed: number;
}

function parseAll(chunks: readonly Uint8Array[], typed: boolean): RunResult {
  let events = 0;
  let malformed = 0;
  const start = performance.now();
  const decoder = createSseDecoder((m) => {
    if (!typed) {
      events++;
      return;
    }
    if (parseDifyEvent(m.data).ok) events++;
    else malformed++;
  });
  for (const chunk of chunks) decoder.push(chunk);
  decoder.end();
  return { ms: performance.now() - start, events, malformed };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Runs the SSE benchmark; `log` gets the progress lines; returns the BENCHMARKS.md section. */
export async function runSseBench(
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  options: { turns?: number; deltasPerTurn?: number; runs?: number } = {},
): Promise<string> {
  const turns = options.turns ?? 40;
  const deltasPerTurn = options.deltasPerTurn ?? 500;
  const runs = options.runs ?? (Number(process.env.BENCH_SSE_RUNS ?? 9) || 9);
  const random = seeded(20_260_101);
  let text = "";
  for (let i = 0; i < turns; i++) text += turn(i, deltasPerTurn, random);
  const bytes = new TextEncoder().encode(text);
  const chunks = chunked(bytes, random);
  const megabytes = bytes.byteLength / (1024 * 1024);
  const blocks = text.split("\n\n").length - 1;

  log("SSE throughput: createSseDecoder (+ parseDifyEvent)");
  log(`  transcript: ${turns} Chatflow turns, ${blocks} SSE blocks incl. pings, ${megabytes.toFixed(2)} MB, ${chunks.length} chunks of 1-16 KB`);
  const rows: string[] = [];
  for (const typed of [false, true]) {
    for (let i = 0; i < 3; i++) parseAll(chunks, typed); // warm-up: JIT and zod's first parses
    const results = Array.from({ length: runs }, () => parseAll(chunks, typed));
    const ms = median(results.map((r) => r.ms));
    const events = results[0]?.events ?? 0;
    const label = typed ? "decode + parseDifyEvent" : "decode only";
    const perSecond = Math.round(events / (ms / 1000)).toLocaleString("en-US");
    const mbs = (megabytes / (ms / 1000)).toFixed(1);
    log(
      `  ${label}: median ${ms.toFixed(1)} ms/run → ${perSecond} events/s, ${mbs} MB/s (min ${Math.min(...results.map((r) => r.ms)).toFixed(1)} / max ${Math.max(...results.map((r) => r.ms)).toFixed(1)} ms over ${runs} runs)`,
    );
    rows.push(`| ${label} | ${perSecond} | ${mbs} | ${ms.toFixed(1)} ms |`);
  }
  return [
    "### Dify SSE parsing throughput",
    "",
    `A recorded-style transcript (${turns} Chatflow turns, ${blocks} SSE blocks with pings, node and workflow events, citations; ASCII, CJK and emoji text; ${megabytes.toFixed(2)} MB) fed in 1-16 KB chunks through \`createSseDecoder\` (UTF-8 decoding and eventsource-parser) and \`parseDifyEvent\` (typed events). Median of ${runs} runs after 3 warm-up runs. Alone: \`npm run bench:sse\`.`,
    "",
    "| stage | events/s | MB/s | per run |",
    "|---|---:|---:|---:|",
    ...rows,
    "",
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const section = await runSseBench();
  process.stdout.write(`\n${section}\n`);
}
