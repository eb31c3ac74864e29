import type { InboundEvent } from "../../src/contracts/chat-platform.js";
import { encodeConversationKey } from "./ids.js";

/** `assistant_thread_started` / `assistant_thread_context_changed` (docs.slack.dev reference/events). */
export interface SlackAssistantThreadEvent {
  readonly type?: string;
  readonly assistant_thread?: {
    readonly user_id?: string;
    readonly channel_id?: string;
    readonly thread_ts?: string;
    readonly context?: { readonly channel_id?: string; readonly team_id?: string; readonly enterprise_id?: string | null };
  };
}

/** `app_home_opened`: for an agent_view app the "messages" tab is its DM pane opening (it replaces assistant_thread_started). */
export interface SlackAppHomeOpenedEvent {
  readonly type?: string;
  readonly user?: string;
  readonly channel?: string;
  readonly tab?: string;
}

type Opened = Extract<InboundEvent, { kind: "assistant_opened" }>;
type Viewing = Extract<InboundEvent, { kind: "viewing_context" }>;

/** A legacy assistant thread opened: prompts go on that thread. */
export function threadStarted(event: SlackAssistantThreadEvent, teamId: string): Opened | null {
  const t = event.assistant_thread;
  if (!t?.channel_id || !t.thread_ts || !t.user_id) return null;
  return {
    kind: "assistant_opened",
    platform: "slack",
    replyTarget: { platform: "slack", workspaceId: teamId, channelId: t.channel_id, threadId: t.thread_ts },
    conversationKey: encodeConversationKey({ workspaceId: teamId, channelId: t.channel_id, threadId: t.thread_ts }),
    isDirectMessage: true,
    userId: t.user_id,
  };
}

/** The agent_view DM pane opened (Messages tab): prompts go on the DM itself, never with a thread_ts. */
export function messagesTabOpened(event: SlackAppHomeOpenedEvent, teamId: string): Opened | null {
  if (event.tab !== "messages" || !event.channel || !event.user) return null;
  return {
    kind: "assistant_opened",
    platform: "slack",
    replyTarget: { platform: "slack", workspaceId: teamId, channelId: event.channel },
    // No thread yet (the person's first message will start one): the key names the DM, which is what routing reads.
    conversationKey: encodeConversationKey({ workspaceId: teamId, channelId: event.channel, threadId: "pane" }),
    isDirectMessage: true,
    userId: event.user,
  };
}

/** The thread's context (what the person views beside the pane) as flat pairs; null when Slack sent none. */
export function viewingContext(event: SlackAssistantThreadEvent, teamId: string): Viewing | null {
  const t = event.assistant_thread;
  const c = t?.context;
  if (!t?.channel_id || !t.thread_ts || !c?.channel_id) return null;
  return {
    kind: "viewing_context",
    platform: "slack",
    conversationKey: encodeConversationKey({ workspaceId: teamId, channelId: t.channel_id, threadId: t.thread_ts }),
    context: {
      channel_id: c.channel_id,
      ...(c.team_id ? { team_id: c.team_id } : {}),
      ...(c.enterprise_id ? { enterprise_id: c.enterprise_id } : {}),
    },
  };
}
