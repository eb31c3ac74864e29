import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// Exposes V8's gc() without restarting the worker with --expose-gc, so heap numbers exclude garbage.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/**
 * Heap growth (after full GCs) between the start of `work` and the moment it calls `measureNow()`, i.e. what
 * the code under test still holds at that point. Garbage does not count, so the figure is stable.
 */
export async function heapGrowthWhile(work: (measureNow: () => void) => Promise<void>): Promise<number> {
  gc();
  const before = process.memoryUsage().heapUsed;
  let during = before;
  await work(() => {
    gc();
    during = process.memoryUsage().heapUsed;
  });
  return during - before;
}
