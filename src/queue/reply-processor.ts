import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { DelayedError, Job, type Queue } from "bullmq";
import type { ChatPlatform } from "../contracts/chat-platform.js";
import { PlatformRateLimitError } from "../contracts/errors.js";
import type { Logger } from "../contracts/logger.js";
import type { MessageContent, MessageRef, PlatformId } from "../contracts/messages.js";
import type { FeedbackService } from "../feedback/feedback-service.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import { budgetRetryDelayMs, type RateBudgetStore } from "../rate/rate-budget-store.js";
import { QUEUED_TEXT, THINKING_TEXT } from "../reply/reply-layout.js";
import { difyUserFor, type ReplyPipeline } from "../reply/reply-pipeline.js";
import type { ConversationLock } from "../state/conversation-lock.js";
import type { ThreadFifo } from "../state/thread-fifo.js";
import type { TurnStore } from "../state/turn-store.js";
import { stopActionId } from "../turn/action-ids.js";
import type { BridgeJobData, ReplyJobData } from "./job-types.js";

export interface ReplyProcessorDeps {
  readonly platforms: ReadonlyMap<PlatformId, ChatPlatform>;
  readonly pipeline: ReplyPipeline;
  readonly feedback: FeedbackService;
  readonly fifo: ThreadFifo;
  readonly lock: ConversationLock;
  readonly turns: TurnStore;
  readonly budgets: RateBudgetStore;
  readonly metrics: BridgeMetrics;
  readonly queue: Queue<BridgeJobData>;
  readonly logger: Logger;
  /** TTL of the per-thread lock; renewed every third of it while answering. */
  readonly lockTtlMs: number;
}

/** A job that is not first in its thread re-checks after this long even if nobody promotes it. */
const NOT_YOUR_TURN_RECHECK_MS = 15_000;
/** Identifies this process in lock tokens, so a recovered job waits for a stalled-but-alive owner's lock. */
const INSTANCE = randomUUID().slice(0, 8);

export type BridgeProcessor = (job: Job<BridgeJobData>, token?: string, signal?: AbortSignal) => Promise<void>;

export function createBridgeProcessor(deps: ReplyProcessorDeps): BridgeProcessor {
  return async (job, token, signal) => {
    if (job.data.kind === "feedback") {
      await deps.feedback.sync(job.data.difyMessageId, job.data.difyUser);
      return;
    }
    await processReply(deps, job as Job<ReplyJobData>, token, signal ?? new AbortController().signal);
  };
}

async function processReply(deps: ReplyProcessorDeps, job: Job<ReplyJobData>, token: string | undefined, signal: AbortSignal): Promise<void> {
  const turnId = job.id as string;
  const msg = job.data.message;
  const key = msg.conversationKey;
  const log = deps.logger.child({ jobId: turnId, platform: msg.platform, conversationKey: key });
  const platform = deps.platforms.get(msg.platform);
  if (!platform) throw new Error(`no ${msg.platform} adapter in this process`);

  let isHead = await waitForTurn(deps, key, turnId);
  const placeholder = job.data.placeholder ?? (await postPlaceholder(deps, job, platform, isHead));
  // The job ahead may have finished while the placeholder was being posted.
  if (!isHead) isHead = (await deps.fifo.head(key)) === turnId;

  if (!isHead) {
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
  const renew = setInterval(
    () => {
      deps.lock.extend(key, lockToken, deps.lockTtlMs).then(
        (held) => held || log.warn({}, "lost the thread lock while answering"),
        (err: unknown) => log.warn({ err }, "could not renew the thread lock"),
      );
    },
    Math.max(1_000, Math.floor(deps.lockTtlMs / 3)),
  );
  // Job data updates one after another, each on top of the last (they may be requested concurrently).
  let saving: Promise<void> = Promise.resolve();
  const save = (patch: Partial<ReplyJobData>): Promise<void> => {
    saving = saving.then(() => job.updateData({ ...job.data, ...patch }));
    return saving;
  };
  try {
    await deps.pipeline.answer({
      turnId,
      data: job.data,
      platform,
      placeholder,
      signal,
      logger: log,
      saveDify: (dify) => save({ placeholder, dify }),
      saveParts: (parts) => save({ placeholder, parts }),
    });
  } finally {
    clearInterval(renew);
    await deps.lock.release(key, lockToken).catch(() => undefined);
    const next = await deps.fifo.remove(key, turnId);
    if (next) await promote(deps.queue, next, log);
  }
}

/** Whether `turnId` is first in its thread, removing dead entries (jobs that failed or vanished) on the way. */
async function waitForTurn(deps: ReplyProcessorDeps, key: string, turnId: string): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    const head = await deps.fifo.head(key);
    if (head === turnId) return true;
    if (head === null || (await deps.fifo.position(key, turnId)) === null) {
      await deps.fifo.push(key, turnId); // an entry that expired or was cleaned up: queue again, at the end
      continue;
    }
    const headJob = await Job.fromId(deps.queue, head);
    const state = headJob ? await headJob.getState() : "unknown";
    if (state === "completed" || state === "failed" || state === "unknown") {
      await deps.fifo.remove(key, head);
      continue;
    }
    return false;
  }
  return false;
}

async function postPlaceholder(deps: ReplyProcessorDeps, job: Job<ReplyJobData>, platform: ChatPlatform, isHead: boolean) {
  const msg = job.data.message;
  const turnId = job.id as string;
  const content: MessageContent = {
    markdown: isHead ? THINKING_TEXT : QUEUED_TEXT,
    buttons: [{ actionId: stopActionId(turnId), label: "Stop", style: "danger" }],
  };
  const budgets = platform.capabilities.rateBudgets({ workspaceId: msg.replyTarget.workspaceId, channelId: msg.replyTarget.channelId }).post ?? [];
  let ref: MessageRef | undefined;
  for (let refusals = 0; !ref; ) {
    const grant = await deps.budgets.acquire(budgets, { priority: "high" });
    if (!grant.granted) {
      await sleep(budgetRetryDelayMs(grant.waitMs, refusals++));
      continue;
    }
    try {
      ref = await platform.postMessage(msg.replyTarget, content);
    } catch (err) {
      // A 429 is not a failure: wait as asked (and make every stream wait) and post again. Anything else fails
      // the attempt and BullMQ retries the job; nothing was asked of Dify yet.
      if (!(err instanceof PlatformRateLimitError)) throw err;
      deps.metrics.rateLimitHits.labels(msg.platform).inc();
      await deps.budgets.block(
        budgets.map((b) => b.key),
        err.retryAfterMs,
      );
      await sleep(err.retryAfterMs);
    }
  }
  deps.metrics.ackSeconds.labels(msg.platform).observe(Math.max(0, Date.now() - Date.parse(msg.receivedAt)) / 1000);
  const placeholder = { ref, content };
  await job.updateData({ ...job.data, placeholder });
  await deps.turns.update(turnId, {
    turnId,
    conversationKey: msg.conversationKey,
    replyTarget: msg.replyTarget,
    askerUserId: msg.author.userId,
    askerName: msg.author.displayName,
    difyUser: difyUserFor(msg.conversationKey),
  });
  return placeholder;
}

/** Wakes the next job of the thread now rather than at its re-check time. */
async function promote(queue: Queue<BridgeJobData>, jobId: string, log: Logger): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const job = await Job.fromId(queue, jobId);
    if (!job) return;
    const state = await job.getState();
    if (state === "delayed") {
      await job.promote().catch((err: unknown) => log.debug({ err }, "promote raced"));
      return;
    }
    // "active": it is deciding right now whether it is first; give it a moment to park itself.
    if (state !== "active") return;
    await sleep(50);
  }
}
