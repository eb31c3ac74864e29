import type { AppHome, ChatPlatform, InboundEvent } from "../contracts/chat-platform.js";
import type { Logger } from "../contracts/logger.js";
import type { DifyApp } from "../routing/app-directory.js";
import type { ConversationStore } from "../state/conversation-store.js";
import type { AppHomeSource } from "./app-home-source.js";

type HomeOpened = Extract<InboundEvent, { kind: "home_opened" }>;
type ConversationsReset = Extract<InboundEvent, { kind: "conversations_reset" }>;

export interface HomeDeps {
  readonly conversations: ConversationStore;
  readonly source: AppHomeSource;
  /** The app the routes give a person's DM with the bot, named by the DM's conversation-key prefix. */
  readonly appFor: (dmConversationKeyPrefix: string) => DifyApp;
  readonly logger: Logger;
}

const UNREACHABLE = "⚠️ I could not reach the assistant just now, so its details are missing. Open this tab again in a moment.";
const RESET_DONE = "🆕 Done: your next message to me starts a new conversation, in every thread of our DM.";

/** The bot's home (Slack's Home tab): what the routed Dify app is, and a way to start over in the DM. */
export class HomeService {
  constructor(private readonly deps: HomeDeps) {}

  /** Publishes the home for the person who opened it. A Dify that cannot be reached still gets a home that says so. */
  async show(platform: ChatPlatform, event: Pick<HomeOpened, "workspaceId" | "userId" | "dmConversationKeyPrefix">, notice?: string): Promise<void> {
    if (!platform.publishHome) return;
    const app = this.deps.appFor(event.dmConversationKeyPrefix);
    const home: AppHome = await this.deps.source.get(app).catch((err: unknown) => {
      this.deps.logger.warn({ err, app: app.id }, "could not read the Dify app for the home");
      return { name: "Assistant", description: "", openingStatement: "", starterQuestions: [], notice: UNREACHABLE };
    });
    await platform.publishHome({ workspaceId: event.workspaceId, userId: event.userId }, notice ? { ...home, notice } : home);
  }

  /** Forgets the Dify conversations of the person's DM, then shows the home again with a confirmation. */
  async reset(platform: ChatPlatform, event: ConversationsReset): Promise<void> {
    const cleared = await this.deps.conversations.clearConversationsUnder(event.conversationKeyPrefix);
    this.deps.logger.info({ platform: event.platform, cleared }, "DM conversations reset from the home");
    await this.show(platform, { ...event, dmConversationKeyPrefix: event.conversationKeyPrefix }, RESET_DONE);
  }
}
