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

/** The mode of a new stream, and how long its first text waits to be worth its call (see `decideStreamMode`). */
export interface StreamModeDecision {
  readonly mode: "native" | "edit";
  /** From when the answer first has text; 0: the first text goes out at once. */
  readonly firstTextHoldMs: number;
}

/** An edited stream needs at least this many edits for first text, one progress update, and final. */
const EDITS_FOR_PROGRESS = 3;
/** How long a scarce edited stream holds its first text, so that edit shows progress (about a second of answer). */
const EDIT_HOLD_MS = 1_000;
/** A native stream expecting fewer appends than this over its whole answer holds its start (see below). */
const APPENDS_FOR_PROGRESS = 2;
/** The longest a native start is held: a short answer still shows a partial state before its end. */
const NATIVE_HOLD_MAX_MS = 2_000;

/**
 * How long the first text of a new stream waits. With room for several updates it goes out at once. An edited
 * stream whose share of the edit budget is below three edits holds it a second, so that one edit shows real
 * progress rather than the first few characters, and the final keeps its slot. A native stream expecting fewer
 * than two appends over the answer (a drained append budget shared by many streams) holds its start to where
 * evenly spaced updates would put it: its start, appends and stop are then all the updates it gets, and a start
 * carrying only the first words wastes one of them (a start at 0 s, one append and the stop at 10 s show the
 * answer 2.5 s late on average at best; held to a third, 1.7 s). Never longer than NATIVE_HOLD_MAX_MS.
 * @internal Exported for the unit test; callers use `decideStreamMode`.
 */
export function firstTextHoldMs(
  mode: "native" | "edit",
  usage: { readonly append: readonly BudgetUsage[]; readonly edit: readonly BudgetUsage[] },
  expectedDurationMs: number,
): number {
  if (mode === "edit") return perStream(usage.edit) < EDITS_FOR_PROGRESS ? EDIT_HOLD_MS : 0;
  let share = Number.POSITIVE_INFINITY;
  for (const u of usage.append) {
    // What this stream can expect over its answer: the free appends now, or what the bucket refills meanwhile.
    const capacity = Math.max(u.limit - u.used, (u.limit * expectedDurationMs) / u.windowMs);
    share = Math.min(share, capacity / (u.active + 1));
  }
  if (share >= APPENDS_FOR_PROGRESS) return 0;
  return Math.min(NATIVE_HOLD_MAX_MS, expectedDurationMs / (share + 2));
}

/**
 * Decided once per answer, under a workspace-wide lock: streams starting together would otherwise all read the
 * same budgets and all pick the same mode. The stream joins the budget it chose before the lock is released.
 * Without the lock the choice could not see the streams choosing beside it, so it falls back to editing, which
 * always works. The hold of the first text is decided with it (`firstTextHoldMs`).
 */
export async function decideStreamMode(
  route: PlatformRoute,
  mode: "auto" | "native",
  streamId: string,
  expectedDurationMs: number,
  logger: Logger,
): Promise<StreamModeDecision> {
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
      return { mode: choice, firstTextHoldMs: firstTextHoldMs(choice, { append, edit }, expectedDurationMs) };
    });
  } catch (err) {
    logger.warn({ err }, "could not choose the stream mode; editing");
    return { mode: "edit", firstTextHoldMs: 0 };
  }
}
