import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../src/contracts/logger.js";
import type { FeedbackComment } from "../../src/contracts/reactions.js";
import { callSlack } from "./errors.js";

/** The modal's callback_id and the action id of the button that offers it after a 👎 reaction. */
export const FEEDBACK_FORM_CALLBACK = "dify_bridge_feedback_reason";
const FEEDBACK_OFFER_ACTION = "dify_bridge_feedback_offer";
const REASON_BLOCK = "reason";
const REASON_INPUT = "reason_text";
/** Dify keeps the feedback `content` as text; a paragraph or two is what a person writes here. */
const MAX_REASON_CHARS = 2_000;

/** The message a form is about, as the modal's private_metadata and the offer button's value carry it. */
interface RatedMessage {
  readonly channel: string;
  readonly ts: string;
}

const encode = (m: RatedMessage) => JSON.stringify({ c: m.channel, t: m.ts });

function decode(raw: string | undefined): RatedMessage | null {
  try {
    const v = JSON.parse(raw ?? "") as { c?: unknown; t?: unknown };
    return typeof v.c === "string" && typeof v.t === "string" ? { channel: v.c, ts: v.t } : null;
  } catch {
    return null;
  }
}

/** The "what was wrong?" modal (docs.slack.dev modal view object: title and buttons at most 24 characters). */
function feedbackForm(about: RatedMessage): Record<string, unknown> {
  return {
    type: "modal",
    callback_id: FEEDBACK_FORM_CALLBACK,
    private_metadata: encode(about),
    title: { type: "plain_text", text: "What was wrong?" },
    submit: { type: "plain_text", text: "Send" },
    close: { type: "plain_text", text: "Skip" },
    blocks: [
      {
        type: "input",
        block_id: REASON_BLOCK,
        optional: true,
        label: { type: "plain_text", text: "Tell the app's team what was wrong with this answer (optional)" },
        element: { type: "plain_text_input", action_id: REASON_INPUT, multiline: true, max_length: MAX_REASON_CHARS },
      },
    ],
  };
}

/**
 * Opens the form for the person whose click carried `triggerId` (good for 3 seconds, once). A form that cannot
 * open is logged: the rating itself is already recorded.
 */
export async function openFeedbackForm(client: WebClient, triggerId: string, about: RatedMessage, logger: Logger): Promise<void> {
  try {
    await callSlack("views.open", () => client.views.open({ trigger_id: triggerId, view: feedbackForm(about) as never }));
  } catch (err) {
    logger.warn({ platform: "slack", err }, "could not open the feedback form");
  }
}

/** The offer button's message: a 👎 reaction carries no trigger_id, a click on this button does. */
export function feedbackOfferBlocks(about: RatedMessage): { text: string; blocks: unknown[] } {
  const text = "Thanks for the 👎. Want to tell us what was wrong?";
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text } },
      {
        type: "actions",
        block_id: "feedback_offer",
        elements: [{ type: "button", action_id: FEEDBACK_OFFER_ACTION, value: encode(about), text: { type: "plain_text", text: "Say what was wrong" } }],
      },
    ],
  };
}

/** The message an offer button's click is about, or null for any other action. */
export function offeredMessage(action: { readonly action_id?: string; readonly value?: string }): RatedMessage | null {
  return action.action_id === FEEDBACK_OFFER_ACTION ? decode(action.value) : null;
}

interface ViewSubmission {
  readonly user?: { readonly id?: string };
  readonly view?: {
    readonly callback_id?: string;
    readonly private_metadata?: string;
    readonly state?: { readonly values?: Record<string, Record<string, { readonly value?: string | null }>> };
  };
}

/** A submitted form → the comment for the core; null when it was left empty (nothing to say) or is not ours. */
export function submittedComment(body: ViewSubmission, teamId: string): FeedbackComment | null {
  const view = body.view;
  if (view?.callback_id !== FEEDBACK_FORM_CALLBACK) return null;
  const about = decode(view.private_metadata);
  const user = body.user?.id;
  const text = view.state?.values?.[REASON_BLOCK]?.[REASON_INPUT]?.value?.trim() ?? "";
  if (!about || !user || text === "") return null;
  return {
    platform: "slack",
    messageRef: { platform: "slack", workspaceId: teamId, channelId: about.channel, messageId: about.ts },
    userId: user,
    text: text.slice(0, MAX_REASON_CHARS),
  };
}
