import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const IMPORT = /(?:^|\s)(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"|import\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

/** Folder → folders it imports from, with one file edge per pair as evidence. */
function folderGraph(roots: readonly string[]): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of roots.flatMap((r) => sourceFiles(join(ROOT, r)))) {
    const from = relative(ROOT, dirname(file));
    for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? "";
      const to = relative(ROOT, dirname(resolve(dirname(file), spec)));
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, `${relative(ROOT, file)} → ${spec}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Every cycle among folders, each as the path that closes it (Tarjan's strongly connected components). */
function folderCycles(graph: Map<string, Map<string, string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return components;
}

/**
 * Folders depend on each other one way only (`madge --circular` checks files; this checks the layers they
 * form), so each folder can be read, tested and moved without the ones that use it.
 */
describe("folder dependencies", () => {
  it("form no cycle in src/ and adapters/", () => {
    const graph = folderGraph(["src", "adapters"]);
    const cycles = folderCycles(graph).map((folders) =>
      folders.flatMap((a) => folders.filter((b) => graph.get(a)?.has(b)).map((b) => `${a} → ${b} (${graph.get(a)?.get(b)})`)),
    );
    expect(cycles).toEqual([]);
  });

  it("sees a cycle when there is one", () => {
    const graph = new Map([
      ["src/a", new Map([["src/b", "a.ts → ../b/b.js"]])],
      ["src/b", new Map([["src/c", "b.ts → ../c/c.js"]])],
      ["src/c", new Map([["src/a", "c.ts → ../a/a.js"]])],
      ["src/d", new Map([["src/a", "d.ts → ../a/a.js"]])],
    ]);
    expect(folderCycles(graph)).toEqual([["src/a", "src/b", "src/c"]]);
  });
});
