import type { ChatPlatform, InboundEvent, InboundSink } from "../contracts/chat-platform.js";
import type { Logger } from "../contracts/logger.js";
import type { InboundMessage, PlatformId } from "../contracts/messages.js";
import type { FeedbackService } from "../feedback/feedback-service.js";
import type { PlatformGateway } from "../gateway/platform-gateway.js";
import type { HomeService } from "../home/home-service.js";
import type { AnswerActivity } from "../observability/answer-activity.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import { jobIdFrom } from "../queue/job-types.js";
import type { ReplyQueue } from "../queue/reply-queue.js";
import { slowDownText, type UserRateLimiter } from "../rate/user-rate-limiter.js";
import type { ConversationStore } from "../state/conversation-store.js";
import type { DedupeStore } from "../state/dedupe-store.js";
import type { ActionHandler } from "../turn/action-handler.js";
import type { AssistantPane } from "../turn/assistant-pane.js";
import { OutageBuffer } from "./outage-buffer.js";

export interface IngressDeps {
  readonly dedupe: DedupeStore;
  readonly conversations: ConversationStore;
  readonly rateLimiter: UserRateLimiter;
  readonly queue: ReplyQueue;
  readonly feedback: FeedbackService;
  /** Notices (slow down) go out through it, within the platform's budgets. */
  readonly gateway: PlatformGateway;
  readonly actions: ActionHandler;
  /** The platform's own pane for the app: suggested prompts, the viewing context. */
  readonly pane: AssistantPane;
  /** The bot's home (Slack's Home tab). */
  readonly home: HomeService;
  readonly metrics: BridgeMetrics;
  /** The operator console's list of dropped events. */
  readonly activity: AnswerActivity;
  readonly logger: Logger;
  /** Drops everything kept for a workspace the bot was removed from (see installations/workspace-state.ts). */
  readonly forgetWorkspace: (platform: PlatformId, workspaceId: string) => Promise<void>;
  /** The Dify app the routes in force send this message to. */
  readonly appFor: (msg: InboundMessage) => string;
  /** Holding events of platforms that do not redeliver while Redis is away (OUTAGE_BUFFER_*). */
  readonly outage: { readonly maxEvents: number; readonly maxWaitMs: number; readonly retryEveryMs?: number };
}

/**
 * Reasons too routine to list on the console: the bot's own posts and edits echoed back, joins and edits, event
 * kinds the bot does not use. They are still counted in bridge_events_ignored_total.
 */
const ROUTINE_REASONS: ReadonlySet<string> = new Set(["own_message", "system_message", "unsupported_event", "reaction"]);

/**
 * What adapters hand every normalized event to. It only decides, dedupes and enqueues (a few Redis round
 * trips), so it returns well inside Slack's 3-second ack; it throws when the event could not be stored, so
 * the adapter does not acknowledge and the platform redelivers.
 */
export class Ingress {
  private readonly held: OutageBuffer;

  constructor(private readonly deps: IngressDeps) {
    this.held = new OutageBuffer((platform, event) => this.accept(platform, event), { ...deps.outage, metrics: deps.metrics, logger: deps.logger });
  }

  /**
   * A platform that sends a refused event again gets the error (it redelivers); for the others an event Redis
   * cannot take now is held in memory until it can (OutageBuffer).
   */
  sinkFor(platform: ChatPlatform): InboundSink {
    if (platform.redeliversRefusedEvents) return (event) => this.accept(platform, event);
    return (event) => this.held.offer(platform, event);
  }

  /** At shutdown: what is still held is given up on, and the people are told. */
  close(): Promise<void> {
    return this.held.close();
  }

  async accept(platform: ChatPlatform, event: InboundEvent): Promise<void> {
    switch (event.kind) {
      case "message":
        return this.acceptMessage(platform, event.message);
      case "reaction": {
        const r = event.reaction;
        if (!(await this.deps.feedback.record(r))) return this.ignored(platform.id, "reaction", "reaction");
        // A 👎 reaction carries no way to open a form: the reactor is offered one privately (best effort).
        if (r.added && r.reaction === "thumbs_down" && platform.offerFeedbackComment) {
          void platform
            .offerFeedbackComment(r.messageRef, r.userId)
            .catch((err: unknown) => this.deps.logger.warn({ err }, "could not offer the feedback form"));
        }
        return;
      }
      case "feedback_comment":
        if (!(await this.deps.feedback.recordComment(event.comment))) this.ignored(event.comment.platform, "not_an_answer", "feedback comment");
        return;
      case "assistant_opened":
        // Dify's /parameters may take a moment on a cold cache; the event is acknowledged meanwhile.
        void this.deps.pane.opened(platform, event);
        return;
      case "viewing_context":
        return this.deps.pane.rememberContext(event);
      case "action":
        if (!(await this.deps.dedupe.markSeen(event.action.dedupeKey)))
          return this.ignored(platform.id, "duplicate", "button click", event.action.replyTarget.channelId);
        try {
          const refused = await this.deps.actions.handle(event.action, platform);
          if (refused) this.ignored(platform.id, refused, "button click", event.action.replyTarget.channelId);
        } catch (err) {
          await this.deps.dedupe.forget(event.action.dedupeKey).catch(() => undefined);
          throw err;
        }
        return;
      case "stop_requested":
        if (!(await this.deps.dedupe.markSeen(event.dedupeKey))) return this.ignored(platform.id, "duplicate", "stop request", event.replyTarget.channelId);
        try {
          await this.deps.actions.stopThread(event, platform);
        } catch (err) {
          await this.deps.dedupe.forget(event.dedupeKey).catch(() => undefined);
          throw err;
        }
        return;
      case "home_opened":
        // Nothing to store: the view is published in the background, so the event is acknowledged at once.
        void this.deps.home.show(platform, event).catch((err: unknown) => this.deps.logger.warn({ err, platform: platform.id }, "could not publish the home"));
        return;
      case "conversations_reset":
        if (!(await this.deps.dedupe.markSeen(event.dedupeKey))) return this.ignored(platform.id, "duplicate", "button click");
        try {
          await this.deps.home.reset(platform, event);
        } catch (err) {
          await this.deps.dedupe.forget(event.dedupeKey).catch(() => undefined);
          throw err;
        }
        return;
      case "workspace_removed":
        return this.deps.forgetWorkspace(event.platform, event.workspaceId);
      case "ignored":
        return this.ignored(event.platform, event.reason, event.what, event.channelId);
    }
  }

  private async acceptMessage(platform: ChatPlatform, msg: InboundMessage): Promise<void> {
    const { dedupe, conversations, rateLimiter, queue, metrics } = this.deps;
    // In a thread the bot is answering, a message for someone else is not for the bot.
    const channel = msg.replyTarget.channelId;
    if (msg.mentionsOthers && !msg.mentionsBot && !msg.isDirectMessage) return this.ignored(msg.platform, "for_someone_else", "message", channel);
    if (!msg.mentionsBot && !msg.isDirectMessage && !(await conversations.isThreadActive(msg.conversationKey))) {
      return this.ignored(msg.platform, "not_for_bot", "message", channel);
    }
    if (!(await dedupe.markSeen(msg.dedupeKey, msg.conversationKey))) return this.ignored(msg.platform, "duplicate", "message", channel);
    try {
      const verdict = await rateLimiter.check(`${msg.platform}:${msg.author.userId}`);
      if (!verdict.allowed) {
        this.ignored(msg.platform, "user_rate_limited", "message", channel);
        if (verdict.notify) void this.slowDown(platform, msg, verdict.retryInMs);
        return;
      }
      await conversations.markThreadActive(msg.conversationKey);
      // The app is fixed now: a reload after this changes where later messages go, never this one.
      await queue.enqueueReply(jobIdFrom(msg.dedupeKey), { kind: "reply", message: msg, app: this.deps.appFor(msg) });
      metrics.messagesReceived.labels(msg.platform).inc();
    } catch (err) {
      // Not stored: forget we saw it, so the platform's redelivery gets through.
      await dedupe.forget(msg.dedupeKey, msg.conversationKey).catch(() => undefined);
      throw err;
    }
  }

  private async slowDown(platform: ChatPlatform, msg: InboundMessage, retryInMs: number): Promise<void> {
    await this.deps.gateway.to(platform, msg.replyTarget).notice(msg.replyTarget, msg.author.userId, slowDownText(retryInMs), { orPost: true });
  }

  private ignored(platform: PlatformId, reason: string, what: string, channelId?: string): void {
    this.deps.metrics.eventsIgnored.labels(platform, reason).inc();
    if (!ROUTINE_REASONS.has(reason)) this.deps.activity.dropped({ platform, reason, what, ...(channelId ? { channelId } : {}) });
  }
}
