import type { InboundEvent } from "../../src/contracts/chat-platform.js";
import { encodeConversationKey } from "./ids.js";

/** `agent_session_stopped` (docs.slack.dev): someone clicked Slack's own Stop on the thread's agent session. */
export interface SlackAgentSessionStoppedEvent {
  readonly type?: string;
  readonly channel?: string;
  readonly thread_ts?: string;
  readonly user?: string;
  readonly event_ts?: string;
  readonly streaming_message_ts?: readonly string[];
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "-");

/**
 * The click as the core's `stop_requested`, or null when the event lacks what it needs. Slack has already
 * stopped the streaming messages it lists; the core decides whether the answer itself stops (only for the
 * person who asked).
 */
export function normalizeSessionStopped(
  event: SlackAgentSessionStoppedEvent,
  teamId: string,
  userName: string | undefined,
): Extract<InboundEvent, { kind: "stop_requested" }> | null {
  const { channel, thread_ts: threadTs, user, event_ts: eventTs } = event;
  if (event.type !== "agent_session_stopped" || !channel || !threadTs || !user) return null;
  const replyTarget = { platform: "slack" as const, workspaceId: teamId, channelId: channel, threadId: threadTs };
  return {
    kind: "stop_requested",
    platform: "slack",
    conversationKey: encodeConversationKey({ workspaceId: teamId, channelId: channel, threadId: threadTs }),
    replyTarget,
    user: { userId: user, displayName: userName ?? user },
    dedupeKey: `slack-stop_${safe(teamId)}_${safe(channel)}_${safe(eventTs ?? threadTs)}_${safe(user)}`,
  };
}
