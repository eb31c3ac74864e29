import type { App, Context } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { InboundSink } from "../../src/contracts/chat-platform.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { SlackAppHomeOpenedEvent } from "./assistant-pane-events.js";
import { publicAskMessage } from "./command-normalize.js";
import { postQuestion } from "./commands.js";
import { callSlack } from "./errors.js";
import { HOME_ACTION, HOME_STARTER_PATTERN } from "./home-view.js";
import { actionDedupeKey, encodeConversationKey } from "./ids.js";
import type { NormalizeContext } from "./normalize.js";
import type { UserDirectory } from "./user-directory.js";

export interface HomeListenerDeps {
  readonly sink: InboundSink;
  readonly logger: Logger;
  readonly scope: (bolt: Context) => { readonly context: NormalizeContext; readonly users: UserDirectory };
}

interface HomeActionBody {
  readonly trigger_id?: string;
  readonly user?: { readonly id?: string; readonly name?: string; readonly username?: string; readonly team_id?: string };
  readonly actions?: ReadonlyArray<{ readonly action_id?: string; readonly value?: string; readonly action_ts?: string }>;
}

/** Every conversation key of a DM starts with this: the DM channel, any thread. */
function dmConversationKeyPrefix(teamId: string, dmChannelId: string): string {
  return encodeConversationKey({ workspaceId: teamId, channelId: dmChannelId, threadId: "" });
}

/** The DM between the bot and `userId` (conversations.open, im:write): where Home questions are answered. */
async function openDm(client: WebClient, userId: string): Promise<string> {
  const res = await callSlack("conversations.open", () => client.conversations.open({ users: userId }));
  const id = res.channel?.id;
  if (!id) throw new Error("conversations.open returned no channel");
  return id;
}

/**
 * The Home tab: opening it asks the core for the app's home (published with views.publish); a starter question's
 * button posts the question in the person's DM with the bot and hands it to the core like a DM message there; the
 * reset button asks the core to forget the DM's conversations. Clicks are acknowledged first (Slack never
 * redelivers an interaction); what fails afterwards is logged.
 */
export function registerSlackHome(app: App, deps: HomeListenerDeps): void {
  const { sink, logger } = deps;

  app.event("app_home_opened", async ({ event, context: bolt }) => {
    const e = event as unknown as SlackAppHomeOpenedEvent;
    // The Messages tab is the AI app's DM pane (listeners.ts); the About tab needs nothing.
    if (e.tab !== "home" || !e.user || !e.channel) return;
    const { context } = deps.scope(bolt);
    await sink({
      kind: "home_opened",
      platform: "slack",
      workspaceId: context.teamId,
      userId: e.user,
      dmConversationKeyPrefix: dmConversationKeyPrefix(context.teamId, e.channel),
    });
  });

  app.action(HOME_STARTER_PATTERN, async ({ ack, body, context: bolt, client }) => {
    await ack();
    const b = body as unknown as HomeActionBody;
    const userId = b.user?.id;
    const question = b.actions?.[0]?.value?.trim();
    if (!userId || !question) return logger.debug({ platform: "slack" }, "slack home starter click ignored (incomplete)");
    const { context, users } = deps.scope(bolt);
    try {
      const dm = await openDm(client, userId);
      const rootTs = await postQuestion(client, dm, userId, question);
      if (rootTs === undefined) throw new Error("chat.postMessage returned no ts");
      const names = await users.namesOf([userId]);
      const asker = { userId, channelId: dm, displayName: names[userId] || b.user?.name || userId, recipientTeamId: b.user?.team_id ?? context.teamId };
      await sink({ kind: "message", message: publicAskMessage({ ...context, userNames: names }, asker, question, rootTs, new Date().toISOString()) });
    } catch (err) {
      logger.warn({ platform: "slack", err }, "could not ask a Home starter question in the DM");
    }
  });

  app.action(HOME_ACTION.reset, async ({ ack, body, context: bolt, client }) => {
    await ack();
    const b = body as unknown as HomeActionBody;
    const userId = b.user?.id;
    if (!userId) return logger.debug({ platform: "slack" }, "slack home reset click ignored (incomplete)");
    const { context } = deps.scope(bolt);
    try {
      const dm = await openDm(client, userId);
      await sink({
        kind: "conversations_reset",
        platform: "slack",
        workspaceId: context.teamId,
        userId,
        conversationKeyPrefix: dmConversationKeyPrefix(context.teamId, dm),
        dedupeKey: actionDedupeKey(context.teamId, b.trigger_id ?? b.actions?.[0]?.action_ts ?? "", userId),
      });
    } catch (err) {
      logger.warn({ platform: "slack", err }, "could not reset the DM conversations from the Home tab");
    }
  });
}
