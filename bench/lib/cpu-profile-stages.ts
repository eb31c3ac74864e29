import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Where a worker's CPU time went, by stage of the path a Dify event takes, from a V8 CPU profile (--cpu-prof).
 * Each sample is charged to the innermost frame of the stack that names a stage: Node's own internals and
 * builtins are skipped upwards (they run on behalf of whoever called them), except the few builtins that are
 * a stage of their own (JSON.parse, the UTF-8 decoder). Samples whose stack names nothing are Node receiving
 * bytes (sockets, the HTTP parser, streams) when they come from node:net/node:http, "other" otherwise.
 */
export const STAGES = ["receive", "SSE parse", "JSON parse", "reduce", "pacing", "Redis", "platform call", "GC", "other"] as const;
export type Stage = (typeof STAGES)[number];

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const RULES: ReadonlyArray<readonly [Stage, (f: CallFrame) => boolean]> = [
  [
    "SSE parse",
    (f) => f.url.includes("eventsource-parser") || f.url.includes("/src/dify/sse.ts") || (f.functionName === "decode" && f.url.includes("encoding")),
  ],
  ["JSON parse", (f) => f.url.includes("/src/dify/events.ts") || f.url.includes("/node_modules/zod/") || (f.functionName === "parse" && f.url === "")],
  [
    "reduce",
    (f) =>
      /\/src\/reply\/(answer-accumulator|answer-view|reply-layout|reasoning-filter|split-markdown|next-operation|progress-line)\.ts/.test(f.url) ||
      f.url.includes("/src/turn/completion"),
  ],
  ["pacing", (f) => /\/src\/reply\//.test(f.url)],
  ["Redis", (f) => f.url.includes("/node_modules/ioredis/") || f.url.includes("/node_modules/bullmq/") || /\/src\/(rate|state|queue)\//.test(f.url)],
  [
    "platform call",
    (f) => /node_modules\/(@discordjs|discord\.js|undici|@slack)\//.test(f.url) || f.url.includes("/adapters/") || f.url.includes("/src/gateway/"),
  ],
  ["receive", (f) => f.url.includes("/src/dify/chat-stream.ts") || f.url.includes("/src/dify/http.ts")],
];

const isInternal = (f: CallFrame) => f.url === "" || f.url.startsWith("node:");
const isReceiveInternal = (f: CallFrame) =>
  /^node:(net|_http|internal\/(streams|http|stream_base|net|js_stream))/.test(f.url) || f.functionName === "onStreamRead";

/** `…/dist/src/dify/events.js` → `…/src/dify/events.ts`; other URLs unchanged. */
function sourceUrl(url: string): string {
  return url.replace(/\/dist\/(src|adapters)\/(.*)\.js$/, "/$1/$2.ts");
}

/**
 * Milliseconds of CPU per stage, over every profile file in `dir` (idle excluded), counting only the samples
 * taken between `fromMs` and `toMs` after the profile started (the process's start).
 */
export function stageTimes(dir: string, fromMs = 0, toMs = Number.POSITIVE_INFINITY): Record<Stage, number> {
  const totals = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
    const parent = new Map<number, number>();
    const byId = new Map<number, ProfileNode>();
    for (const node of profile.nodes) {
      byId.set(node.id, node);
      for (const c of node.children ?? []) parent.set(c, node.id);
    }
    const stageOf = new Map<number, Stage | undefined>();
    const classify = (id: number): Stage | undefined => {
      if (stageOf.has(id)) return stageOf.get(id);
      const node = byId.get(id) as ProfileNode;
      // The compiled worker (dist/src/….js) is classified by the source file it was built from.
      const f = { ...node.callFrame, url: sourceUrl(node.callFrame.url) };
      let stage: Stage | undefined;
      if (f.functionName === "(idle)" || f.functionName === "(program)") stage = undefined;
      else if (f.functionName === "(garbage collector)") stage = "GC";
      else {
        stage = RULES.find(([, test]) => test(f))?.[0];
        if (!stage && !isInternal(f)) stage = "other";
        if (!stage) {
          const up = parent.get(id);
          stage = up === undefined ? undefined : classify(up);
          if (!stage || stage === "other") stage = isReceiveInternal(f) ? "receive" : (stage ?? "other");
        }
      }
      stageOf.set(id, stage);
      return stage;
    };
    let atUs = 0;
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      atUs += delta;
      if (atUs / 1000 < fromMs || atUs / 1000 > toMs) return;
      const stage = classify(id);
      if (stage) totals[stage] += delta / 1000;
    });
  }
  return totals;
}
