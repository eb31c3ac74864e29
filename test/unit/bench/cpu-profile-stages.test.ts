import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stageTimes } from "../../../bench/lib/cpu-profile-stages.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A V8 profile: node 1 = root; each stack is a path of frames below it, sampled for `ms`. */
function writeProfile(stacks: Array<{ frames: Array<[string, string]>; ms: number }>): string {
  const nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children: number[] }> = [
    { id: 1, callFrame: { functionName: "(root)", url: "" }, children: [] },
  ];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  for (const stack of stacks) {
    let parent = nodes[0] as (typeof nodes)[number];
    for (const [functionName, url] of stack.frames) {
      const node = { id: nodes.length + 1, callFrame: { functionName, url }, children: [] };
      nodes.push(node);
      parent.children.push(node.id);
      parent = node;
    }
    samples.push(parent.id);
    timeDeltas.push(stack.ms * 1000);
  }
  const dir = mkdtempSync(join(tmpdir(), "stages-"));
  dirs.push(dir);
  writeFileSync(join(dir, "w.cpuprofile"), JSON.stringify({ nodes, startTime: 0, endTime: 0, samples, timeDeltas }));
  return dir;
}

describe("CPU profile by stage", () => {
  it("charges builtins and Node internals to the code that called them", () => {
    const dir = writeProfile([
      { frames: [["onStreamRead", "node:internal/stream_base_commons"]], ms: 5 },
      {
        frames: [
          ["drain", "file:///w/src/dify/chat-stream.ts"],
          ["parseDifyEvent", "file:///w/src/dify/events.ts"],
          ["parse", ""],
        ],
        ms: 3,
      },
      {
        frames: [
          ["push", "file:///w/src/dify/sse.ts"],
          ["decode", "node:internal/encoding"],
        ],
        ms: 2,
      },
      {
        frames: [
          ["sendCommand", "file:///w/node_modules/ioredis/built/Redis.js"],
          ["writev", "node:internal/stream_base_commons"],
        ],
        ms: 4,
      },
      { frames: [["append", "file:///w/src/reply/answer-accumulator.ts"]], ms: 1 },
      { frames: [["wait", "file:///w/src/reply/update-pacer.ts"]], ms: 1 },
      { frames: [["request", "file:///w/node_modules/@discordjs/rest/dist/index.js"]], ms: 6 },
      { frames: [["(garbage collector)", ""]], ms: 7 },
      { frames: [["(idle)", ""]], ms: 100 },
    ]);
    const t = stageTimes(dir);
    expect(t.receive).toBeCloseTo(5);
    expect(t["JSON parse"]).toBeCloseTo(3);
    expect(t["SSE parse"]).toBeCloseTo(2);
    expect(t.Redis).toBeCloseTo(4);
    expect(t.reduce).toBeCloseTo(1);
    expect(t.pacing).toBeCloseTo(1);
    expect(t["platform call"]).toBeCloseTo(6);
    expect(t.GC).toBeCloseTo(7);
    expect(Object.values(t).reduce((a, b) => a + b, 0)).toBeCloseTo(29);
  });

  it("counts only the samples inside the window", () => {
    const dir = writeProfile([
      { frames: [["start", "file:///w/src/main.ts"]], ms: 50 },
      { frames: [["append", "file:///w/src/reply/answer-accumulator.ts"]], ms: 10 },
    ]);
    const t = stageTimes(dir, 55, 70);
    expect(t.other).toBe(0);
    expect(t.reduce).toBeCloseTo(10);
  });
});
