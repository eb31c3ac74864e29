import { createHash } from "node:crypto";
import type { ButtonAction } from "../contracts/actions.js";
import type { ChatPlatform, InboundEvent } from "../contracts/chat-platform.js";
import type { FormDialog } from "../contracts/forms.js";
import type { Logger } from "../contracts/logger.js";
import type { PendingForm, PendingFormStore } from "../forms/pending-forms.js";
import type { PlatformGateway } from "../gateway/platform-gateway.js";
import { jobIdFrom, type ReplyJobData } from "../queue/job-types.js";
import type { ReplyQueue } from "../queue/reply-queue.js";
import { slowDownText, type UserRateLimiter } from "../rate/user-rate-limiter.js";
import type { AppDirectory } from "../routing/app-directory.js";
import type { DedupeStore } from "../state/dedupe-store.js";
import type { ThreadFifo } from "../state/thread-fifo.js";
import type { TurnStore } from "../state/turn-store.js";
import { parseActionId, retryActionId } from "./action-ids.js";
import { FORM_EXPIRED_TEXT, formDialog, formMarkdown } from "./form-view.js";
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
      forms: PendingFormStore;
    },
  ) {}

  /** The dialog a form button opens (its form has fields to fill in), asked by the adapter before it acknowledges. */
  async dialogFor(actionId: string): Promise<FormDialog | null> {
    const parsed = parseActionId(actionId);
    if (parsed?.kind !== "form") return null;
    const pending = await this.deps.forms.get(parsed.formKey);
    if (!pending || isExpired(pending)) return null;
    return formDialog(pending.key, parsed.index, pending.form);
  }

  /** Handles a click; returns why it did nothing when it was refused (for bridge_events_ignored_total). */
  async handle(action: ButtonAction, platform: ChatPlatform): Promise<string | undefined> {
    const parsed = parseActionId(action.actionId);
    if (!parsed) return undefined;
    if (parsed.kind === "form") {
      await this.answerForm(parsed.formKey, parsed.index, action, platform);
      return undefined;
    }
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
   * A form's action: whoever clicks first answers it (one resume job, as the thread's Dify user); an expired form
   * says so where it is shown and offers to start over; a later click is told, privately, who answered it.
   */
  private async answerForm(formKey: string, index: number, action: ButtonAction, platform: ChatPlatform): Promise<void> {
    const log = this.deps.logger.child({ formKey, action: "form" });
    const pending = await this.deps.forms.get(formKey);
    if (!pending?.form.actions[index]) {
      log.info({}, "click on a form that is no longer kept");
      await this.notify(platform, action, "This form is no longer available.");
      return;
    }
    if (isExpired(pending)) {
      await this.showExpired(pending, platform, log);
      return;
    }
    const claim = await this.deps.forms.claim(formKey, action.user.displayName);
    if (!claim.won) {
      await this.notify(platform, action, `This form was already answered${claim.by ? ` by ${claim.by}` : ""}.`);
      return;
    }
    const asked = await this.deps.turns.get(pending.turnId);
    const turnId = jobIdFrom(action.dedupeKey);
    // The resume job's own record: its Stop is the clicker's, its Retry asks the original question again.
    await this.deps.turns.update(turnId, {
      turnId,
      conversationKey: pending.conversationKey,
      replyTarget: pending.replyTarget,
      askerUserId: action.user.userId,
      askerName: action.user.displayName,
      difyUser: pending.difyUser,
      app: pending.app,
      ...(asked?.query !== undefined ? { query: asked.query } : {}),
      ...(asked?.files ? { files: asked.files } : {}),
      ...(pending.dify.taskId ? { taskId: pending.dify.taskId } : {}),
    });
    const [first] = pending.reply;
    const data: ReplyJobData = {
      kind: "reply",
      app: pending.app,
      message: {
        platform: action.platform,
        messageId: action.messageRef.messageId,
        dedupeKey: action.dedupeKey,
        conversationKey: pending.conversationKey,
        replyTarget: pending.replyTarget,
        author: action.user,
        text: "",
        isDirectMessage: false,
        mentionsBot: true,
        mentionsOthers: false,
        inExistingThread: false,
        attachments: [],
        receivedAt: action.receivedAt,
      },
      ...(first ? { placeholder: { ref: first, content: { markdown: pending.shownAbove } } } : {}),
      parts: pending.reply,
      resume: { formKey, actionIndex: index, values: action.values ?? {} },
    };
    await this.deps.queue.enqueueReply(turnId, data);
  }

  /** An expired form is replaced, where it is shown, by a line saying so and a way to start over. */
  private async showExpired(pending: PendingForm, platform: ChatPlatform, log: Logger): Promise<void> {
    const last = pending.reply.at(-1);
    if (!last) return;
    const markdown = [pending.shownAbove, formMarkdown(pending.form), FORM_EXPIRED_TEXT].filter((t) => t.trim() !== "").join("\n\n");
    await this.deps.gateway
      .to(platform, pending.replyTarget)
      .mustLand("edit", () => platform.editMessage(last, { markdown, buttons: [{ actionId: retryActionId(pending.turnId), label: "Start over" }] }))
      .catch((err: unknown) => log.warn({ err }, "could not mark the form as expired"));
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

function isExpired(pending: PendingForm): boolean {
  return pending.form.expiresAt !== undefined && pending.form.expiresAt * 1000 <= Date.now();
}
