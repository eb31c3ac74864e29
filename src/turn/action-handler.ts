import { createHash } from "node:crypto";
import type { ButtonAction } from "../contracts/actions.js";
import type { ChatPlatform, InboundEvent } from "../contracts/chat-platform.js";
import type { Logger } from "../contracts/logger.js";
import type { PlatformGateway } from "../gateway/platform-gateway.js";
import { jobIdFrom, type ReplyJobData } from "../queue/job-types.js";
import type { ReplyQueue } from "../queue/reply-queue.js";
import { slowDownText, type UserRateLimiter } from "../rate/user-rate-limiter.js";
import type { AppDirectory } from "../routing/app-directory.js";
import type { DedupeStore } from "../state/dedupe-store.js";
import type { ThreadFifo } from "../state/thread-fifo.js";
import type { TurnStore } from "../state/turn-store.js";
import { parseActionId } from "./action-ids.js";
import type { StopCoordinator } from "./stop-coordinator.js";

/**
 * Button clicks. Stop: only the person who asked may stop an answer. A suggested question or Retry: anyone in
 * the thread may click; it becomes a new turn in the same conversation that says who asked. Such a click starts
 * work, so it counts against the clicker's USER_RATE_LIMIT like a message, and it starts it once: a suggestion
 * already asked in the thread, or an answer already retried, is not asked again (marked in Redis, so clicks
 * reaching different processes agree).
 */
export class ActionHandler {
  constructor(
    private readonly deps: {
      turns: TurnStore;
      /** The thread's current turn, for the platform's own Stop control (which names a thread, not an answer). */
      fifo: ThreadFifo;
      stops: StopCoordinator;
      queue: ReplyQueue;
      apps: AppDirectory;
      gateway: PlatformGateway;
      rateLimiter: UserRateLimiter;
      /** Which suggestions and retries a thread has already asked. */
      dedupe: DedupeStore;
      logger: Logger;
    },
  ) {}

  /** Handles a click; returns why it did nothing when it was refused (for bridge_events_ignored_total). */
  async handle(action: ButtonAction, platform: ChatPlatform): Promise<string | undefined> {
    const parsed = parseActionId(action.actionId);
    if (!parsed) return undefined;
    const turn = await this.deps.turns.get(parsed.turnId);
    const log = this.deps.logger.child({ turnId: parsed.turnId, action: parsed.kind });
    if (!turn) {
      log.info({}, "button for an unknown or expired answer");
      return undefined;
    }
    if (parsed.kind === "stop") {
      await this.stop(parsed.turnId, turn, platform, action, log);
      return undefined;
    }
    const question = parsed.kind === "ask" ? turn.suggestions?.[parsed.index] : turn.query;
    if (!question && !(parsed.kind === "retry" && turn.files?.length)) return undefined;
    // One ask per suggestion per thread, one retry per answer, however many clicks (and whoever makes them).
    const once =
      parsed.kind === "ask"
        ? `ask:${createHash("sha256")
            .update(question ?? "")
            .digest("hex")
            .slice(0, 32)}`
        : `retry:${parsed.turnId}`;
    if (!(await this.deps.dedupe.markSeen(once, turn.conversationKey))) {
      log.info({}, parsed.kind === "ask" ? "suggestion already asked in this thread" : "answer already retried");
      return "already_asked";
    }
    try {
      const verdict = await this.deps.rateLimiter.check(`${action.platform}:${action.user.userId}`);
      if (!verdict.allowed) {
        // Not asked after all: a later click, within the limit, may ask it.
        await this.deps.dedupe.forget(once, turn.conversationKey);
        if (verdict.notify) {
          void this.deps.gateway
            .to(platform, action.replyTarget)
            .notice(action.replyTarget, action.user.userId, slowDownText(verdict.retryInMs), { orPost: true })
            .catch((err: unknown) => log.warn({ err }, "could not send the slow-down notice"));
        }
        return "user_rate_limited";
      }
      await this.enqueue(action, turn, parsed.kind, question);
    } catch (err) {
      await this.deps.dedupe.forget(once, turn.conversationKey).catch(() => undefined);
      throw err;
    }
    return undefined;
  }

  private async enqueue(
    action: ButtonAction,
    turn: NonNullable<Awaited<ReturnType<TurnStore["get"]>>>,
    kind: "ask" | "retry",
    question: string | undefined,
  ): Promise<void> {
    const data: ReplyJobData = {
      kind: "reply",
      // The app that answered: its suggestions and its uploaded files (Retry) mean nothing to another app.
      ...(turn.app ? { app: turn.app } : {}),
      message: {
        platform: action.platform,
        messageId: action.messageRef.messageId,
        dedupeKey: action.dedupeKey,
        conversationKey: turn.conversationKey,
        replyTarget: turn.replyTarget,
        author: action.user,
        text: question ?? "",
        isDirectMessage: false,
        mentionsBot: true,
        mentionsOthers: false,
        inExistingThread: false,
        attachments: [],
        receivedAt: action.receivedAt,
      },
      preamble: `**${action.user.displayName.replace(/[*_`]/g, "")}** ${kind === "ask" ? "asked" : "asked again"}: ${(question ?? "").replace(/\n/g, " ")}`,
      ...(kind === "retry" && turn.files?.length ? { files: turn.files } : {}),
    };
    await this.deps.queue.enqueueReply(jobIdFrom(action.dedupeKey), data);
  }

  /**
   * The platform's own Stop on a thread (Slack's agent session): it stops the thread's current answer, under the
   * same rule as the button. Nothing runs in the thread: nothing to stop, nothing to say.
   */
  async stopThread(request: Extract<InboundEvent, { kind: "stop_requested" }>, platform: ChatPlatform): Promise<void> {
    const turnId = await this.deps.fifo.head(request.conversationKey);
    const turn = turnId ? await this.deps.turns.get(turnId) : undefined;
    const log = this.deps.logger.child({ turnId, action: "stop", via: "platform" });
    if (!turnId || !turn || turn.finished) {
      log.info({}, "platform Stop on a thread with no answer in progress");
      return;
    }
    await this.stop(turnId, turn, platform, { user: request.user, replyTarget: request.replyTarget }, log);
  }

  /** Only the person who asked may stop an answer; anyone else is told so, privately. */
  private async stop(
    turnId: string,
    turn: NonNullable<Awaited<ReturnType<TurnStore["get"]>>>,
    platform: ChatPlatform,
    by: Pick<ButtonAction, "user" | "replyTarget">,
    log: Logger,
  ): Promise<void> {
    if (turn.askerUserId !== by.user.userId) {
      await this.notify(platform, by, `Only ${turn.askerName} can stop this answer.`);
      return;
    }
    await this.deps.stops.requestStop(turnId);
    // The streaming process stops the task too; doing it here as well covers a process that missed the news.
    const app = this.deps.apps.get(turn.app);
    if (turn.taskId && app) await app.dify.stopTask(turn.taskId, turn.difyUser).catch((err: unknown) => log.warn({ err }, "Dify stop failed"));
  }

  private async notify(platform: ChatPlatform, action: Pick<ButtonAction, "user" | "replyTarget">, text: string): Promise<void> {
    // Only ever privately: a public "only Ana can stop this" would be noise for the whole thread.
    await this.deps.gateway.to(platform, action.replyTarget).notice(action.replyTarget, action.user.userId, text);
  }
}
