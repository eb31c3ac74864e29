import type { Redis } from "ioredis";
import type { ChatPlatform, InboundEvent } from "../contracts/chat-platform.js";
import type { Logger } from "../contracts/logger.js";
import type { AppDirectory } from "../routing/app-directory.js";
import { placeOf } from "../routing/route-table.js";
import type { RedisKeyBuilder } from "../state/redis-keys.js";

/** Slack shows at most four suggested prompts. */
const MAX_PROMPTS = 4;

type Opened = Extract<InboundEvent, { kind: "assistant_opened" }>;
type Viewing = Extract<InboundEvent, { kind: "viewing_context" }>;

/**
 * The platform's own pane for the app (Slack's AI-app DM): when someone opens it they see the answering Dify
 * app's opening statement over its starter questions (GET /parameters), and what they view beside it is kept
 * per thread for the app's CONTEXT_INPUT variable.
 */
export class AssistantPane {
  constructor(private readonly deps: { redis: Redis; key: RedisKeyBuilder; apps: AppDirectory; logger: Logger; ttlMs: number }) {}

  /** Best effort: prompts that cannot be shown leave an ordinary empty pane. */
  async opened(platform: ChatPlatform, event: Opened): Promise<void> {
    const surface = platform.assistant;
    if (!surface) return;
    const app = this.deps.apps.resolve(placeOf(event.conversationKey, event.isDirectMessage));
    try {
      const params = await app.params.get();
      const prompts = params.suggestedQuestions
        .map((q) => q.trim())
        .filter(Boolean)
        .slice(0, MAX_PROMPTS)
        .map((q) => ({ title: q, message: q }));
      // Slack wants at least one prompt; an app with an opening statement only has nothing to suggest.
      if (prompts.length === 0) return;
      const title = params.openingStatement.trim();
      await surface.setSuggestedPrompts(event.replyTarget, { ...(title ? { title } : {}), prompts });
    } catch (err) {
      this.deps.logger.warn({ err, platform: platform.id, app: app.id }, "could not show the suggested prompts");
    }
  }

  async rememberContext(event: Viewing): Promise<void> {
    await this.deps.redis.set(this.deps.key("viewctx", event.conversationKey), JSON.stringify(event.context), "PX", this.deps.ttlMs);
  }

  /** What the person viewed beside the pane when they last moved (the thread's context), if the platform said. */
  async contextOf(conversationKey: string): Promise<Readonly<Record<string, string>> | undefined> {
    const raw = await this.deps.redis.get(this.deps.key("viewctx", conversationKey));
    return raw ? (JSON.parse(raw) as Record<string, string>) : undefined;
  }
}
