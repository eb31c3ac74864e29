import type { ReactionEvent } from "../../src/contracts/reactions.js";
import { FEEDBACK_ACTION_ID } from "./render.js";
import type { SlackBlockActionsBody } from "./slack-payloads.js";

/**
 * A click on the answer's `feedback_buttons` (👍 value "thumbs_up", 👎 "thumbs_down") as the core's reaction: the
 * same rating rules apply as to a 👍/👎 reaction (the latest one per person counts). Other actions: none.
 */
export function feedbackClicks(body: SlackBlockActionsBody, teamId: string, botUserId: string, receivedAt: string): ReactionEvent[] {
  const channel = body.container?.channel_id ?? body.channel?.id;
  const ts = body.container?.message_ts ?? body.message?.ts;
  const user = body.user?.id;
  if (!channel || !ts || !user) return [];
  return (body.actions ?? []).flatMap((a): ReactionEvent[] => {
    if (a.type !== "feedback_buttons" || a.action_id !== FEEDBACK_ACTION_ID) return [];
    const reaction = a.value === "thumbs_up" || a.value === "thumbs_down" ? a.value : null;
    if (!reaction) return [];
    return [
      {
        platform: "slack",
        messageRef: { platform: "slack", workspaceId: teamId, channelId: channel, messageId: ts },
        userId: user,
        isBot: user === botUserId,
        added: true,
        reaction,
        rawEmoji: reaction === "thumbs_up" ? "+1" : "-1",
        occurredAt: receivedAt,
      },
    ];
  });
}
