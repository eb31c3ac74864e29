import { randomUUID } from "node:crypto";
import type { FakeSlackTeam } from "./fake-team.js";

let lastMicros = 0;

/** A unique, increasing Slack timestamp ("1712345678.000100"). */
export function slackTs(): string {
  const micros = Math.max(Date.now() * 1000, lastMicros + 1);
  lastMicros = micros;
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, "0")}`;
}

export interface MessageInit {
  readonly channel: string;
  /** Absent on events Slack sends without a top-level user (message_changed, message_deleted, bot_message…). */
  readonly user?: string;
  readonly text?: string;
  readonly ts?: string;
  readonly thread_ts?: string;
  readonly channel_type?: "channel" | "group" | "im" | "mpim";
  readonly subtype?: string;
  readonly files?: readonly Record<string, unknown>[];
  readonly bot_id?: string;
  readonly [extra: string]: unknown;
}

/**
 * Builders for what Slack sends: Events API envelopes (the same JSON over HTTP and inside Socket Mode envelopes)
 * and block_actions payloads, filled in for the fake's workspace and bot.
 */
export class SlackPayloads {
  /** `issueTrigger`: the fake's trigger registry, so views.open accepts the trigger_id of these interactions. */
  constructor(
    private readonly team: FakeSlackTeam,
    private readonly issueTrigger: (user: string) => string = () =>
      `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${randomUUID().replace(/-/g, "").slice(0, 12)}`,
  ) {}

  /**
   * `assistant_thread_started` (legacy assistant_view apps): `user` opened the AI-app container; `context` is
   * the channel they were viewing (docs.slack.dev reference/events/assistant_thread_started).
   */
  assistantThreadStarted(init: { user: string; channel: string; threadTs: string; context?: Record<string, string | null> }): Record<string, unknown> {
    return {
      type: "assistant_thread_started",
      assistant_thread: { user_id: init.user, context: init.context ?? {}, channel_id: init.channel, thread_ts: init.threadTs },
      event_ts: slackTs(),
    };
  }

  /** `assistant_thread_context_changed`: the person moved to another channel while the container is open. */
  assistantThreadContextChanged(init: { user: string; channel: string; threadTs: string; context: Record<string, string | null> }): Record<string, unknown> {
    return {
      type: "assistant_thread_context_changed",
      assistant_thread: { user_id: init.user, context: init.context, channel_id: init.channel, thread_ts: init.threadTs },
      event_ts: slackTs(),
    };
  }

  /** The `event_callback` envelope around an inner event. Each call gets a fresh `event_id` unless given. */
  envelope(event: Record<string, unknown>, eventId = `Ev${randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase()}`): Record<string, unknown> {
    return {
      token: "fake-verification-token",
      team_id: this.team.teamId,
      api_app_id: this.team.appId,
      event,
      type: "event_callback",
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      ...(this.team.enterpriseId !== undefined ? { enterprise_id: this.team.enterpriseId } : {}),
      // An org-wide installation authorizes the org, with no team (as Slack sends it for org-ready apps).
      authorizations: [
        this.team.enterpriseId !== undefined
          ? { enterprise_id: this.team.enterpriseId, team_id: null, user_id: this.team.botUserId, is_bot: true, is_enterprise_install: true }
          : { enterprise_id: null, team_id: this.team.teamId, user_id: this.team.botUserId, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${randomUUID()}`,
    };
  }

  /** An `app_mention` inner event; the text should contain `<@BOT>`. */
  appMention(init: MessageInit): Record<string, unknown> {
    const ts = init.ts ?? slackTs();
    return { type: "app_mention", team: this.team.teamId, text: "", event_ts: ts, ...init, ts };
  }

  /** A `message` inner event (channel_type "channel" unless given). */
  message(init: MessageInit): Record<string, unknown> {
    const ts = init.ts ?? slackTs();
    return { type: "message", team: this.team.teamId, channel_type: "channel", text: "", event_ts: ts, ...init, ts };
  }

  /** A channel mention as Slack delivers it: both an `app_mention` and a `message` envelope (different event ids). */
  mentionPair(init: MessageInit): [Record<string, unknown>, Record<string, unknown>] {
    const ts = init.ts ?? slackTs();
    return [this.envelope(this.appMention({ ...init, ts })), this.envelope(this.message({ ...init, ts }))];
  }

  reaction(added: boolean, init: { user: string; reaction: string; channel: string; ts: string; item_user?: string }): Record<string, unknown> {
    return {
      type: added ? "reaction_added" : "reaction_removed",
      user: init.user,
      reaction: init.reaction,
      item_user: init.item_user ?? this.team.botUserId,
      item: { type: "message", channel: init.channel, ts: init.ts },
      event_ts: slackTs(),
    };
  }

  /** A `block_actions` interaction for a button click on a message. */
  /**
   * A click on a message's `feedback_buttons` element (Bolt's FeedbackButtonsAction: type "feedback_buttons",
   * the clicked button's `value` and `text`).
   */
  feedbackClick(init: {
    user: string;
    channel: string;
    messageTs: string;
    threadTs?: string;
    actionId: string;
    value: string;
    text: string;
  }): Record<string, unknown> {
    const body = this.blockActions({ ...init });
    return {
      ...body,
      actions: [
        {
          type: "feedback_buttons",
          action_id: init.actionId,
          block_id: "feedback",
          value: init.value,
          text: { type: "plain_text", text: init.text },
          action_ts: slackTs(),
        },
      ],
    };
  }

  blockActions(init: {
    user: string;
    userName?: string;
    channel: string;
    messageTs: string;
    threadTs?: string;
    actionId: string;
    value?: string;
  }): Record<string, unknown> {
    const actionTs = slackTs();
    return {
      type: "block_actions",
      user: { id: init.user, username: init.userName ?? init.user, name: init.userName ?? init.user, team_id: this.team.teamId },
      api_app_id: this.team.appId,
      token: "fake-verification-token",
      container: {
        type: "message",
        message_ts: init.messageTs,
        channel_id: init.channel,
        is_ephemeral: false,
        ...(init.threadTs ? { thread_ts: init.threadTs } : {}),
      },
      trigger_id: this.issueTrigger(init.user),
      team: { id: this.team.teamId, domain: "fake" },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: init.channel, name: "general" },
      message: { type: "message", user: this.team.botUserId, ts: init.messageTs, ...(init.threadTs ? { thread_ts: init.threadTs } : {}), text: "" },
      response_url: "http://127.0.0.1:9/unused-response-url",
      actions: [
        {
          type: "button",
          action_id: init.actionId,
          block_id: "actions",
          text: { type: "plain_text", text: "button", emoji: true },
          value: init.value ?? init.actionId,
          action_ts: actionTs,
        },
      ],
    };
  }
}
