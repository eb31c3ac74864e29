import type { BudgetUsage } from "../rate/rate-budget-store.js";

/** Below this many routine updates per window for each stream, edits alone make the text visibly lag. */
const EDIT_CAPACITY_FLOOR = 10;

function free(list: readonly BudgetUsage[]): number {
  return list.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...list.map((u) => u.limit - u.used));
}

function perStream(list: readonly BudgetUsage[]): number {
  return list.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...list.map((u) => (u.limit - u.used) / (u.active + 1)));
}

/**
 * Edit or stream natively? A native stream costs one start and one stop from small budgets (Slack: 20 a
 * minute each) but then appends from a larger one, while edits keep the Stop button on the answer itself.
 * "native" streams whenever a start and its later stop fit; "auto" streams natively only when the edit
 * budget is contended (a new stream would get fewer than EDIT_CAPACITY_FLOOR updates a window) and the
 * append budget offers each stream more.
 */
export function chooseStreamMode(
  mode: "auto" | "native",
  usage: {
    readonly start: readonly BudgetUsage[];
    readonly stop: readonly BudgetUsage[];
    readonly append: readonly BudgetUsage[];
    readonly edit: readonly BudgetUsage[];
  },
): "native" | "edit" {
  // Every native stream already running still needs its stop: count them against the stop budget.
  const nativeActive = Math.max(0, ...usage.append.map((u) => u.active));
  const stopFree = free(usage.stop) - nativeActive;
  if (free(usage.start) < 1 || stopFree < 1) return "edit";
  if (mode === "native") return "native";
  const editShare = perStream(usage.edit);
  return editShare < EDIT_CAPACITY_FLOOR && perStream(usage.append) > editShare ? "native" : "edit";
}
