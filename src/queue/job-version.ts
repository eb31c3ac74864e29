import { DelayedError, type Job } from "bullmq";
import type { Logger } from "../contracts/logger.js";
import type { BridgeJobData } from "./job-types.js";

/**
 * The job-data shape this code writes. During a rolling upgrade old and new processes share one queue, so
 * every job says which shape it has: a newer worker upgrades older jobs (steps below), an older worker leaves
 * newer jobs for a newer worker. Raise it whenever a release changes the shape, and add the step that turns
 * the previous shape into the new one.
 *
 * 1: every job written before job data carried a version (no `v`; a reply without `parts`).
 * 2: `v` added; otherwise the shape of 1.
 * @internal Exported for the tests that write jobs of older and newer versions.
 */
export const JOB_DATA_VERSION = 2;

type AnyJobData = BridgeJobData & { readonly v?: number };

/** Step n turns version n into version n + 1. */
const UPGRADES: Readonly<Record<number, (data: AnyJobData) => AnyJobData>> = {
  1: (data) => ({ ...data, v: 2 }),
};

/**
 * The version a job was written with (1 for jobs from before versions existed).
 * @internal Exported for the unit test of the version rules.
 */
export function jobDataVersion(data: { readonly v?: unknown }): number {
  return typeof data.v === "number" && Number.isInteger(data.v) && data.v >= 1 ? data.v : 1;
}

/** What producers add to every job they write. */
export function withJobDataVersion<T extends BridgeJobData>(data: T): T & { readonly v: number } {
  return { ...data, v: JOB_DATA_VERSION };
}

/**
 * Older job data in today's shape. Throws for data newer than this code (never guess at a future shape).
 * @internal Exported for the unit test of the upgrade steps.
 */
export function upgradeJobData(data: AnyJobData, to = JOB_DATA_VERSION): AnyJobData {
  let version = jobDataVersion(data);
  if (version > to) throw new Error(`job data version ${version} is newer than ${to}`);
  let out = data;
  while (version < to) {
    const step = UPGRADES[version];
    if (!step) throw new Error(`no upgrade from job data version ${version}`);
    out = step(out);
    version++;
  }
  return out;
}

/** A newer job met by an older worker waits this long before a worker (by then perhaps a newer one) looks again. */
const NEWER_JOB_RECHECK_MS = 5_000;

type Processor = (job: Job<BridgeJobData>, token?: string, signal?: AbortSignal) => Promise<void>;

/**
 * Wraps the worker's processor. A job from a newer release is put back, delayed, without counting as an attempt
 * (BullMQ's `moveToDelayed` + `DelayedError`), so it is neither failed nor consumed here and a newer worker
 * answers it. A job from an older release is upgraded, saved in the new shape, and processed.
 */
export function gateJobDataVersion(processor: Processor, o: { logger: Logger; version?: number; recheckMs?: number }): Processor {
  const current = o.version ?? JOB_DATA_VERSION;
  return async (job, token, signal) => {
    const version = jobDataVersion(job.data);
    if (version > current) {
      o.logger.warn({ jobId: job.id, jobVersion: version, workerVersion: current }, "job written by a newer release: left for a newer worker");
      await job.moveToDelayed(Date.now() + (o.recheckMs ?? NEWER_JOB_RECHECK_MS), token);
      throw new DelayedError();
    }
    if (version < current) {
      const upgraded = upgradeJobData(job.data, current);
      await job.updateData(upgraded);
      o.logger.info({ jobId: job.id, from: version, to: current }, "job data upgraded");
    }
    return processor(job, token, signal);
  };
}
