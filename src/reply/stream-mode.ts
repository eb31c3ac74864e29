import type { Logger } from "../contracts/logger.js";
import type { PlatformRoute } from "../gateway/platform-route.js";
import type { BudgetUsage } from "../rate/rate-budget-store.js";

function free(list: readonly BudgetUsage[]): number {
  return list.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...list.map((u) => u.limit - u.used));
}

function perStream(list: readonly BudgetUsage[]): number {
  return list.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...list.map((u) => (u.limit - u.used) / (u.active + 1)));
}

/**
 * Edit or stream natively? Display lag falls with the number of updates a stream gets, so a new stream takes
 * the mode that gives it more of them. An edited stream spends everything (first text, updates, final) from
 * the edit budget it shares with the other edited streams; a native stream gets its first text from one
 * start, its final text from one stop (both small budgets: Slack allows 20 a minute each) and its updates
 * from the append budget it shares with the other native streams.
 *
 * "native" streams natively whenever a start and its later stop fit; "auto" compares the two shares.
 * @internal Exported for the unit test of the choice; callers use `decideStreamMode`.
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
  const nativeShare = perStream(usage.append) + 2;
  const editShare = perStream(usage.edit);
  return nativeShare > editShare ? "native" : "edit";
}

/** The mode of a new stream, and whether its first text should wait to be worth an edit (see `decideStreamMode`). */
export interface StreamModeDecision {
  readonly mode: "native" | "edit";
  readonly holdFirstText: boolean;
}

/** An edited stream needs at least this many edits for first text, one progress update, and final. */
const EDITS_FOR_PROGRESS = 3;

/**
 * Decided once per answer, under a workspace-wide lock: streams starting together would otherwise all read the
 * same budgets and all pick the same mode. The stream joins the budget it chose before the lock is released.
 * Without the lock the choice could not see the streams choosing beside it, so it falls back to editing, which
 * always works.
 *
 * An edited stream whose share of the edit budget is below three edits cannot show first text, progress and
 * final: it holds its first text back a little (`holdFirstText`), so that one edit shows real progress rather
 * than the first few characters, and the final keeps its slot.
 */
export async function decideStreamMode(route: PlatformRoute, mode: "auto" | "native", streamId: string, logger: Logger): Promise<StreamModeDecision> {
  const lockName = route.budgets("streamStart")[0]?.key ?? `${route.platform.id}:${route.place.workspaceId}`;
  try {
    return await route.exclusively(`mode:${lockName}`, async () => {
      const [start, stop, append, edit] = await Promise.all([
        route.usage("streamStart"),
        route.usage("streamStop"),
        route.usage("streamAppend"),
        route.usage("edit"),
      ]);
      const choice = chooseStreamMode(mode, { start, stop, append, edit });
      await route.join([choice === "native" ? "streamAppend" : "edit"], streamId);
      return { mode: choice, holdFirstText: choice === "edit" && perStream(edit) < EDITS_FOR_PROGRESS };
    });
  } catch (err) {
    logger.warn({ err }, "could not choose the stream mode; editing");
    return { mode: "edit", holdFirstText: false };
  }
}
