/**
 * The strict bound: the lowest mean display lag ANY schedule could reach under the platform's budgets, with no
 * design choice of the bridge built in (no "first text at once", no pacing rule). Display lag is then divided
 * by this and nothing else.
 *
 * Model (printed with every table, see STRICT_BOUND_FORMULA):
 * - n answers start together; answer i streams T_i tokens evenly over D_i ms (characters weigh alike).
 * - An answer shown in u updates at the best moments (evenly spaced, the last with the final text) shows its
 *   characters after L_i(u) = D_i / (2u) on average, text treated as arriving continuously; u is at most T_i
 *   (one update per token still leaves half a token's gap, 10 ms at 50 tokens/s).
 * - Every budget is a bucket: by time t at most C + r·t calls (C its size, r its refill). Any schedule must
 *   fit, for every answer k, all calls of the answers ending by D_k into C + r·D_k.
 * - Edited answer: its first message is posted with text (1 update, free) and then edited (chat.update).
 *   Native answer: chat.startStream and chat.stopStream carry text (2 updates, from their own budgets) and
 *   chat.appendStream adds the rest.
 * The minimum of Σ T_i · L_i(u_i) / Σ T_i under those constraints is found exactly for a given split into
 * native and edited answers (greedy on a separable convex objective over nested capacities, which is optimal
 * for such a polymatroid). The split: every subset up to 10 answers; above, every contiguous range of the
 * answers ordered by length, then single-answer swaps until none helps (a search, stated as such).
 */
export const STRICT_BOUND_FORMULA =
  "bound = min over schedules of Σ T_i·L_i(u_i) / Σ T_i, L_i(u) = D_i/(2u) with u ≤ T_i, subject to: for every budget and every answer k, the calls of the answers ending by D_k ≤ C + r·D_k (C = bucket size, r = refill rate); edited answers: u = 1 (posted with text) + chat.update calls; native answers: u = 2 (chat.startStream, chat.stopStream) + chat.appendStream calls";

interface Bucket {
  readonly capacity: number;
  readonly perMs: number;
}

export interface SlackBudgets {
  readonly update: Bucket;
  readonly start: Bucket;
  readonly stop: Bucket;
  readonly append: Bucket;
}

/** Slack's tiers as the fake meters them: buckets of a minute's calls refilling continuously. */
export const SLACK_BUCKETS: SlackBudgets = {
  update: { capacity: 50, perMs: 50 / 60_000 },
  start: { capacity: 20, perMs: 20 / 60_000 },
  stop: { capacity: 20, perMs: 20 / 60_000 },
  append: { capacity: 100, perMs: 100 / 60_000 },
};

export interface BoundAnswer {
  readonly durationMs: number;
  readonly tokens: number;
}

export type BoundModes = "edit" | "native" | "both";

const lagOf = (a: BoundAnswer, u: number) => a.durationMs / (2 * Math.min(u, a.tokens));

/** Calls of one budget per answer: prefix sums over answers ordered by end must stay within C + r·D_k. */
class NestedCapacity {
  private readonly slack: number[];
  constructor(order: readonly BoundAnswer[], bucket: Bucket) {
    this.slack = order.map((a) => bucket.capacity + bucket.perMs * a.durationMs);
  }
  /** Index in end order; true (and spent) when one more call for that answer fits. */
  take(pos: number): boolean {
    for (let k = pos; k < this.slack.length; k++) if ((this.slack[k] as number) < 1) return false;
    for (let k = pos; k < this.slack.length; k++) (this.slack as number[])[k] = (this.slack[k] as number) - 1;
    return true;
  }
}

/** Exact minimum for one split (`native[i]` in end order). Infinity when the split cannot show every answer. */
function boundForSplit(order: readonly BoundAnswer[], native: readonly boolean[], budgets: SlackBudgets): number {
  const start = new NestedCapacity(order, budgets.start);
  const stop = new NestedCapacity(order, budgets.stop);
  for (let i = 0; i < order.length; i++) if (native[i] && !(start.take(i) && stop.take(i))) return Number.POSITIVE_INFINITY;
  const pools = { edit: new NestedCapacity(order, budgets.update), native: new NestedCapacity(order, budgets.append) };
  const updates: number[] = order.map((_, i) => (native[i] ? 2 : 1));
  const open = order.map((a, i) => (updates[i] as number) < a.tokens);
  for (;;) {
    let best = -1;
    let bestGain = 0;
    for (let i = 0; i < order.length; i++) {
      if (!open[i]) continue;
      const a = order[i] as BoundAnswer;
      const u = updates[i] as number;
      const gain = a.tokens * (lagOf(a, u) - lagOf(a, u + 1));
      if (gain > bestGain) {
        bestGain = gain;
        best = i;
      }
    }
    if (best < 0) break;
    const pool = native[best] ? pools.native : pools.edit;
    // A refused call stays refused: the capacities only shrink.
    if (pool.take(best)) updates[best] = (updates[best] as number) + 1;
    else open[best] = false;
    if ((updates[best] as number) >= (order[best] as BoundAnswer).tokens) open[best] = false;
  }
  const chars = order.reduce((a, x) => a + x.tokens, 0);
  return order.reduce((a, x, i) => a + x.tokens * lagOf(x, updates[i] as number), 0) / chars;
}

export function strictBoundMs(answers: readonly BoundAnswer[], budgets: SlackBudgets, modes: BoundModes): number {
  const order = [...answers].sort((a, b) => a.durationMs - b.durationMs);
  const n = order.length;
  if (n === 0) return Number.NaN;
  const all = (v: boolean) => order.map(() => v);
  if (modes === "edit") return boundForSplit(order, all(false), budgets);
  if (modes === "native") return boundForSplit(order, all(true), budgets);
  let best = Number.POSITIVE_INFINITY;
  let bestSplit = all(false);
  const consider = (split: boolean[]) => {
    const v = boundForSplit(order, split, budgets);
    if (v < best) {
      best = v;
      bestSplit = split;
    }
  };
  if (n <= 10) {
    for (let mask = 0; mask < 1 << n; mask++) consider(order.map((_, i) => (mask & (1 << i)) !== 0));
    return best;
  }
  consider(all(false));
  for (let lo = 0; lo < n; lo++) for (let hi = lo; hi < n; hi++) consider(order.map((_, i) => i >= lo && i <= hi));
  for (let improved = true; improved; ) {
    improved = false;
    for (let i = 0; i < n; i++) {
      const before = best;
      consider(bestSplit.map((v, j) => (j === i ? !v : v)));
      if (best < before) improved = true;
    }
  }
  return best;
}
