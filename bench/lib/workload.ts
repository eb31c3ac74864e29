/**
 * The answer lengths a benchmark run asks for. "mixed" is drawn from a fixed-seed distribution between 1 s and
 * 60 s, most of them short (duration = 1 s + 59 s · u³ with u uniform: median ≈ 8 s, one in ten above ~43 s),
 * so pacing tuned on one length cannot flatter itself. "uniform" is every answer at the same length, kept for
 * comparison with earlier figures. BENCH_QUICK shrinks every duration by the same factor (the shape stays).
 */
export type WorkloadName = "mixed" | "uniform";

export const TOKENS_PER_SECOND = 50;
const UNIFORM_TOKENS = 250;
const MIN_S = 1;
const MAX_S = 60;

/** Small, fast, well-known PRNG (mulberry32), so the same seed draws the same lengths on every machine. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Token counts for `n` answers. The seed depends on `n` only, so every variant at that size gets the same lengths. */
export function answerTokens(workload: WorkloadName, n: number, scale: number, seed = 14): number[] {
  if (workload === "uniform") return Array.from({ length: n }, () => Math.max(1, Math.round(UNIFORM_TOKENS * scale)));
  const rand = seededRandom(seed * 1_000 + n);
  return Array.from({ length: n }, () => {
    const seconds = MIN_S + (MAX_S - MIN_S) * rand() ** 3;
    return Math.max(1, Math.round(seconds * TOKENS_PER_SECOND * scale));
  });
}

export function describeWorkload(workload: WorkloadName, scale: number): string {
  return workload === "uniform"
    ? `uniform: every answer ${Math.round(UNIFORM_TOKENS * scale)} tokens (${((UNIFORM_TOKENS * scale) / TOKENS_PER_SECOND).toFixed(1)} s)`
    : `mixed: lengths ${(MIN_S * scale).toFixed(1)}-${(MAX_S * scale).toFixed(0)} s, duration = ${(MIN_S * scale).toFixed(1)} s + ${((MAX_S - MIN_S) * scale).toFixed(1)} s · u³ (u uniform, mulberry32 seed 14000 + streams)`;
}
