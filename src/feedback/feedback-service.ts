import type { Redis } from "ioredis";
import type { Logger } from "../contracts/logger.js";
import type { FeedbackComment, ReactionEvent } from "../contracts/reactions.js";
import type { Rating } from "../dify/dify-client.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import type { ReplyQueue } from "../queue/reply-queue.js";
import type { AppDirectory } from "../routing/app-directory.js";
import type { RedisKeyBuilder } from "../state/redis-keys.js";
import { RedisLock } from "../state/redis-lock.js";
import type { ReplyIndex } from "../state/reply-index.js";

const NONE = "none";
const LOCK_MS = 15_000;
/** Another job for the same message is syncing; it usually takes one Dify call. */
const LOCK_WAIT_MS = 5_000;

/**
 * 👍/👎 on any message of an answer → Dify feedback for that answer. Dify keeps one rating per message for our
 * (per-thread) `user`, while several people may react, so the rating follows the most recent human 👍/👎 still
 * present and is revoked (`null`) only when none is left.
 *
 * What was wrong (the form a 👎 offers) is kept per person; it goes to Dify as the feedback's `content` while
 * that person's 👎 is the rating in force, and is dropped from Dify when the rating moves on (Dify keeps one
 * rating and one content per message, and replaces the content with every rating it is sent).
 *
 * Reactions are recorded in Redis at once (ingress); a feedback job then brings Dify in line with that state.
 * Jobs for one message are serialized by a lock and each re-reads the state, so they may run in any order and
 * any number of times and still converge.
 */
export class FeedbackService {
  private readonly locks: RedisLock;

  constructor(
    private readonly deps: {
      redis: Redis;
      key: RedisKeyBuilder;
      replies: ReplyIndex;
      apps: AppDirectory;
      queue: ReplyQueue;
      metrics: BridgeMetrics;
      logger: Logger;
      ttlMs: number;
    },
  ) {
    this.locks = new RedisLock(deps.redis);
  }

  /** Ingress side. Returns false when the reaction is not feedback (bot, other emoji, not an answer). */
  async record(event: ReactionEvent): Promise<boolean> {
    if (event.isBot || event.reaction === null) return false;
    const reply = await this.deps.replies.lookup(event.messageRef);
    if (!reply) return false;
    const k = this.deps.key("reactions", reply.difyMessageId);
    const member = `${event.userId}|${event.reaction}|${event.messageRef.messageId}`;
    const at = Date.parse(event.occurredAt) || Date.now();
    if (event.added) await this.deps.redis.multi().zadd(k, at, member).pexpire(k, this.deps.ttlMs).exec();
    else await this.deps.redis.zrem(k, member);
    await this.deps.queue.enqueueFeedback({
      kind: "feedback",
      difyMessageId: reply.difyMessageId,
      difyUser: reply.difyUser,
      ...(reply.app ? { app: reply.app } : {}),
    });
    return true;
  }

  /** Ingress side: a person's "what was wrong?" text. False when the message is not an answer. */
  async recordComment(comment: FeedbackComment): Promise<boolean> {
    const reply = await this.deps.replies.lookup(comment.messageRef);
    if (!reply) return false;
    const k = this.deps.key("fbnote", reply.difyMessageId);
    await this.deps.redis.multi().hset(k, comment.userId, comment.text).pexpire(k, this.deps.ttlMs).exec();
    await this.deps.queue.enqueueFeedback({
      kind: "feedback",
      difyMessageId: reply.difyMessageId,
      difyUser: reply.difyUser,
      ...(reply.app ? { app: reply.app } : {}),
    });
    return true;
  }

  /** The rating the reactions call for now. */
  async desiredRating(difyMessageId: string): Promise<Rating> {
    return (await this.desired(difyMessageId)).rating;
  }

  /** The rating in force and, for a 👎, the text its person gave (if any). */
  private async desired(difyMessageId: string): Promise<{ rating: Rating; content: string }> {
    const latest = await this.deps.redis.zrange(this.deps.key("reactions", difyMessageId), -1, -1);
    const [user, reaction] = latest[0]?.split("|") ?? [];
    const rating: Rating = reaction === "thumbs_up" ? "like" : reaction === "thumbs_down" ? "dislike" : null;
    const content = rating === "dislike" && user ? ((await this.deps.redis.hget(this.deps.key("fbnote", difyMessageId), user)) ?? "") : "";
    return { rating, content };
  }

  /** Worker side: make Dify's rating equal the desired one, in the app that owns the message. */
  async sync(difyMessageId: string, difyUser: string, appId?: string): Promise<void> {
    const { redis, key } = this.deps;
    const app = this.deps.apps.get(appId);
    if (!app) {
      // The owning app left the routes file: its messages cannot be rated any more, and another app has no such message.
      this.deps.logger.warn({ difyMessageId, app: appId }, "feedback for an app that is no longer configured; dropped");
      return;
    }
    const sentKey = key("rating", difyMessageId);
    // A busy lock fails the job (LockBusyError) and BullMQ runs it again later: it re-reads the state anyway.
    await this.locks.withLock(
      key("fblock", difyMessageId),
      LOCK_MS,
      async () => {
        const contentKey = key("fbnotesent", difyMessageId);
        for (;;) {
          const { rating: desired, content } = await this.desired(difyMessageId);
          const sent = ((await redis.get(sentKey)) ?? NONE) as Rating | typeof NONE;
          const sentContent = (await redis.get(contentKey)) ?? "";
          const want = desired ?? NONE;
          if ((sent === want && sentContent === content) || (sent === NONE && desired === null)) return;
          // Revoking a rating Dify never had answers 400, so null is only sent over an existing rating.
          await app.dify.sendFeedback(difyMessageId, { rating: desired, user: difyUser, ...(content ? { content } : {}) });
          await redis.set(sentKey, want, "PX", this.deps.ttlMs);
          await redis.set(contentKey, content, "PX", this.deps.ttlMs);
          this.deps.metrics.feedbackSent.labels(desired ?? "revoke").inc();
          this.deps.metrics.appFeedbackSent.labels(app.id).inc();
          this.deps.logger.info({ difyMessageId, rating: desired, app: app.id }, "feedback sent to Dify");
        }
      },
      { waitMs: LOCK_WAIT_MS, retryEveryMs: 50 },
    );
  }
}
