/**
 * The identifiers the adapter hands the core. Conversation keys are "slack:<team>:<channel>:<thread_ts>";
 * dedupe keys must not contain ":" (BullMQ job ids), so they use "_" and keep Slack's "." in timestamps.
 */

export interface SlackConversationAddress {
  readonly teamId: string;
  readonly channelId: string;
  readonly threadTs: string;
}

export function encodeConversationKey(a: SlackConversationAddress): string {
  return `slack:${a.teamId}:${a.channelId}:${a.threadTs}`;
}

/**
 * Inverse of `encodeConversationKey`; null for keys of other platforms or malformed keys.
 * @internal The core never decodes keys; the round-trip test proves the encoding is unambiguous (two threads never share a key).
 */
export function decodeConversationKey(key: string): SlackConversationAddress | null {
  const parts = key.split(":");
  if (parts.length !== 4 || parts[0] !== "slack") return null;
  const [, teamId, channelId, threadTs] = parts as [string, string, string, string];
  if (teamId === "" || channelId === "" || threadTs === "") return null;
  return { teamId, channelId, threadTs };
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "-");

/**
 * One key per Slack message, the same for the `app_mention` and `message` copies of a mention (which have
 * different event ids) and for every Events API retry.
 */
export function messageDedupeKey(teamId: string, channelId: string, ts: string): string {
  return `slack_${safe(teamId)}_${safe(channelId)}_${safe(ts)}`;
}

/** One key per button click: the trigger id is unique per click, the action timestamp and user are a fallback. */
export function actionDedupeKey(teamId: string, triggerIdOrTs: string, userId: string): string {
  return `slack-action_${safe(teamId)}_${safe(triggerIdOrTs)}_${safe(userId)}`;
}
