import { randomUUID } from "node:crypto";
import { DelayedError, type Job, type Queue } from "bullmq";
import type { ChatPlatform } from "../contracts/chat-platform.js";
import { PlatformRateLimitError } from "../contracts/errors.js";
import type { Logger } from "../contracts/logger.js";
import type { PlatformId } from "../contracts/messages.js";
import { traceIdFor } from "../dify/chat-stream.js";
import type { FeedbackService } from "../feedback/feedback-service.js";
import type { PlatformGateway } from "../gateway/platform-gateway.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import { redactWhenFinished } from "../queue/job-retention.js";
import type { BridgeJobData, ReplyJobData } from "../queue/job-types.js";
import { statusLineOf } from "../reply/reply-layout.js";
import type { AppDirectory } from "../routing/app-directory.js";
import { placeOf } from "../routing/route-table.js";
import type { ConversationLock } from "../state/conversation-lock.js";
import type { ThreadFifo } from "../state/thread-fifo.js";
import type { TurnStore } from "../state/turn-store.js";
import { adoptInterruptedStream } from "./interrupted-stream.js";
import { PermanentTurnError } from "./permanent-failure.js";
import { type Placeholder, postPlaceholder } from "./placeholder.js";
import type { ReplyPipeline } from "./reply-pipeline.js";
import { isFirstInThread, promote } from "./thread-order.js";

export interface TurnRunnerDeps {
  readonly platforms: ReadonlyMap<PlatformId, ChatPlatform>;
  readonly pipeline: ReplyPipeline;
  readonly apps: AppDirectory;
  readonly feedback: FeedbackService;
  readonly fifo: ThreadFifo;
  readonly lock: ConversationLock;
  readonly turns: TurnStore;
  readonly gateway: PlatformGateway;
  readonly metrics: BridgeMetrics;
  readonly queue: Queue<BridgeJobData>;
  readonly logger: Logger;
  /** TTL of the per-thread lock. */
  readonly lockTtlMs: number;
  /** How often the per-thread lock is renewed while answering. @defaultValue a quarter of `lockTtlMs` */
  readonly lockRenewMs?: number;
}

/** A job that is not first in its thread re-checks after this long even if nobody promotes it. */
const NOT_YOUR_TURN_RECHECK_MS = 15_000;
/** How soon a job whose thread could not be read for an interrupted stream tries again (a 429 says its own wait). */
const ADOPTION_RETRY_MS = 2_000;
/** Identifies this process in lock tokens, so a recovered job waits for a stalled-but-alive owner's lock. */
const INSTANCE = randomUUID().slice(0, 8);

export type BridgeProcessor = (job: Job<BridgeJobData>, token?: string, signal?: AbortSignal) => Promise<void>;

/** The worker side of the queue: a feedback sync, or one turn of a thread (placeholder, order, lock, answer). */
export function createBridgeProcessor(deps: TurnRunnerDeps): BridgeProcessor {
  return async (job, token, signal) => {
    if (job.data.kind === "feedback") {
      await deps.feedback.sync(job.data.difyMessageId, job.data.difyUser, job.data.app);
      return;
    }
    await runTurn(deps, job as Job<ReplyJobData>, token, signal ?? new AbortController().signal);
    // Redacted before BullMQ marks it completed, so a completed job never holds what people wrote.
    await redactWhenFinished(job, deps.logger);
  };
}

async function runTurn(deps: TurnRunnerDeps, job: Job<ReplyJobData>, token: string | undefined, signal: AbortSignal): Promise<void> {
  const turnId = job.id as string;
  const msg = job.data.message;
  const key = msg.conversationKey;
  const app = deps.apps.get(job.data.app) ?? deps.apps.resolve(placeOf(key, msg.isDirectMessage));
  // traceId: the X-Trace-Id Dify got for this turn, so its trace and these log lines find each other.
  const log = deps.logger.child({
    jobId: turnId,
    traceId: traceIdFor(turnId),
    platform: msg.platform,
    workspace: msg.replyTarget.workspaceId,
    app: app.id,
    conversationKey: key,
  });
  if (job.data.app !== app.id) {
    // Queued before app ids existed, or for an app a reload has since removed: the routes in force decide.
    if (job.data.app) log.warn({ queuedFor: job.data.app }, "the app this question was queued for is no longer configured; the route in force answers");
    await job.updateData({ ...job.data, app: app.id });
  }
  const platform = deps.platforms.get(msg.platform);
  if (!platform) throw new Error(`no ${msg.platform} adapter in this process`);
  const route = deps.gateway.to(platform, msg.replyTarget, log);

  let isHead = await isFirstInThread(deps.fifo, deps.queue, key, turnId);
  const waitedBefore = job.data.placeholder !== undefined;
  const posted =
    job.data.placeholder ?? (await postPlaceholder(deps, job, route, isHead, app.streaming).catch((err: unknown) => leaveOnPermanent(deps, job, err, log)));
  // The job ahead may have finished while the placeholder was being posted.
  if (!isHead) isHead = (await deps.fifo.head(key)) === turnId;

  if (!isHead) {
    // Slack drops a status line after two minutes without a reply: a turn that waits keeps saying so.
    const assistant = platform.assistant;
    if (posted.ref === null && assistant && waitedBefore) {
      await route.optional("status", () => assistant.setStatus(msg.replyTarget, statusLineOf(posted.content)));
    }
    await job.moveToDelayed(Date.now() + NOT_YOUR_TURN_RECHECK_MS, token);
    throw new DelayedError();
  }
  const lockToken = `${INSTANCE}:${turnId}`;
  if (!(await deps.lock.acquire(key, lockToken, deps.lockTtlMs))) {
    // Held by a stalled run of this same job in a process that is still alive: wait for it to lapse.
    const remaining = await deps.lock.remainingMs(key);
    await job.moveToDelayed(Date.now() + Math.max(250, Math.min(remaining, deps.lockTtlMs)), token);
    throw new DelayedError();
  }
  let placeholder: Placeholder;
  try {
    placeholder = await adoptInterruptedStream(job, route, posted, app.streaming, log);
  } catch (err) {
    // The thread could not be read: answering without knowing could show a second message. Later, lock given back.
    await deps.lock.release(key, lockToken).catch(() => undefined);
    const waitMs = err instanceof PlatformRateLimitError ? err.retryAfterMs : ADOPTION_RETRY_MS;
    log.warn({ err, waitMs }, "could not look for a message an earlier run streamed into; trying again later");
    await job.moveToDelayed(Date.now() + waitMs, token);
    throw new DelayedError();
  }
  const renew = setInterval(
    () => {
      deps.lock.extend(key, lockToken, deps.lockTtlMs).then(
        (held) => held || log.warn({}, "lost the thread lock while answering"),
        (err: unknown) => log.warn({ err }, "could not renew the thread lock"),
      );
    },
    deps.lockRenewMs ?? Math.max(250, Math.floor(deps.lockTtlMs / 4)),
  );
  // Job data updates one after another, each on top of the last (they may be requested concurrently).
  let saving: Promise<void> = Promise.resolve();
  const save = (patch: Partial<ReplyJobData>): Promise<void> => {
    saving = saving.then(() => job.updateData({ ...job.data, ...patch }));
    return saving;
  };
  try {
    if ((await deps.turns.get(turnId))?.finished) {
      // An earlier run answered it and lost the job lock while alive (see worker-locks.ts): nothing is left to do.
      log.warn({}, "this turn was already answered by an earlier run; not answering again");
      return;
    }
    await deps.pipeline.answer({
      turnId,
      data: job.data,
      app,
      platform,
      route,
      placeholder,
      signal,
      logger: log,
      saveDify: (dify) => save({ placeholder, dify }),
      saveParts: (parts) => save({ placeholder, parts }),
    });
    await deps.turns.update(turnId, { turnId, finished: true }).catch((err: unknown) => log.warn({ err }, "could not mark the turn answered"));
  } finally {
    clearInterval(renew);
    // A save still on its way would land after the redaction below and bring the question back.
    await saving.catch(() => undefined);
    await deps.lock.release(key, lockToken).catch(() => undefined);
    await leaveThread(deps, key, turnId, log);
  }
}

/** The turn is done with its thread: the next one may start now. */
async function leaveThread(deps: TurnRunnerDeps, key: string, turnId: string, log: Logger): Promise<void> {
  const next = await deps.fifo.remove(key, turnId);
  if (next) await promote(deps.queue, next, log);
}

/** A turn that can never post its placeholder will not run again: it leaves the thread to the next one. */
async function leaveOnPermanent(deps: TurnRunnerDeps, job: Job<ReplyJobData>, err: unknown, log: Logger): Promise<never> {
  if (err instanceof PermanentTurnError) await leaveThread(deps, job.data.message.conversationKey, job.id as string, log).catch(() => undefined);
  throw err;
}
