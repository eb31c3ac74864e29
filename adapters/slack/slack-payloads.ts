/**
 * The parts of Slack's event and interaction payloads the adapter reads. Loose on purpose: everything is
 * optional because Slack omits fields freely (and adds new ones), and the normalizers check what they use.
 */

export interface SlackFile {
  readonly id?: string;
  readonly name?: string;
  readonly title?: string;
  readonly mimetype?: string;
  readonly filetype?: string;
  readonly size?: number;
  readonly url_private?: string;
  readonly url_private_download?: string;
  /** "slack_audio" / "slack_video" for clips recorded in Slack. */
  readonly subtype?: string;
  readonly media_display_type?: string;
  /** "tombstone" (deleted) or "hidden_by_limit" (free plan): no URL to fetch. */
  readonly mode?: string;
}

export interface SlackMessageEvent {
  readonly type: string;
  readonly subtype?: string;
  readonly user?: string;
  readonly user_team?: string;
  readonly team?: string;
  readonly bot_id?: string;
  readonly bot_profile?: unknown;
  readonly text?: string;
  readonly ts?: string;
  readonly thread_ts?: string;
  readonly channel?: string;
  readonly channel_type?: string;
  readonly event_ts?: string;
  readonly files?: readonly SlackFile[];
  readonly blocks?: readonly SlackBlock[];
  readonly user_profile?: { readonly display_name?: string; readonly real_name?: string; readonly name?: string };
}

export interface SlackReactionEvent {
  readonly type: string;
  readonly user?: string;
  readonly reaction?: string;
  readonly item_user?: string;
  readonly item?: { readonly type?: string; readonly channel?: string; readonly ts?: string };
  readonly event_ts?: string;
}

interface SlackBlock {
  readonly type: string;
  readonly text?: unknown;
  readonly [key: string]: unknown;
}

interface SlackBlockAction {
  readonly type?: string;
  readonly action_id?: string;
  readonly block_id?: string;
  readonly value?: string;
  readonly action_ts?: string;
}

export interface SlackBlockActionsBody {
  readonly type: string;
  readonly trigger_id?: string;
  readonly user?: { readonly id?: string; readonly name?: string; readonly username?: string; readonly team_id?: string };
  readonly team?: { readonly id?: string } | null;
  readonly channel?: { readonly id?: string };
  readonly container?: {
    readonly type?: string;
    readonly message_ts?: string;
    readonly channel_id?: string;
    readonly thread_ts?: string;
    readonly is_ephemeral?: boolean;
  };
  readonly message?: { readonly ts?: string; readonly thread_ts?: string };
  /** A click inside a view: which one (`home` for the Home tab, `modal`). */
  readonly view?: { readonly type?: string };
  readonly actions?: readonly SlackBlockAction[];
}

/** A slash command request (form fields over HTTP, the envelope's payload in Socket Mode). */
export interface SlackSlashCommand {
  readonly command?: string;
  readonly text?: string;
  readonly user_id?: string;
  readonly user_name?: string;
  readonly channel_id?: string;
  readonly channel_name?: string;
  readonly team_id?: string;
  readonly response_url?: string;
  readonly trigger_id?: string;
}

/** A message shortcut (`message_action`): the message it was used on, in full. */
export interface SlackMessageShortcut {
  readonly type?: string;
  readonly callback_id?: string;
  readonly trigger_id?: string;
  readonly response_url?: string;
  readonly user?: { readonly id?: string; readonly name?: string; readonly username?: string; readonly team_id?: string };
  readonly team?: { readonly id?: string } | null;
  readonly channel?: { readonly id?: string; readonly name?: string };
  readonly message?: SlackMessageEvent;
  readonly message_ts?: string;
}
