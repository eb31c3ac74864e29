/** The workspace, bot and tokens one fake Slack serves. Every default can be overridden. */
export interface FakeSlackTeam {
  readonly teamId: string;
  readonly teamName: string;
  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appToken: string;
  readonly appId: string;
  /**
   * An Enterprise Grid org: installing the app (OAuth) installs it org-wide, and events from `teamId` (one
   * workspace of the org) carry the org's authorization. Unset: an ordinary workspace.
   */
  readonly enterpriseId?: string;
  /** Granted bot scopes, sent by auth.test in `x-oauth-scopes`. */
  readonly scopes: readonly string[];
}

export interface FakeSlackUser {
  readonly id: string;
  readonly name: string;
  readonly realName?: string;
  readonly displayName?: string;
  readonly isBot?: boolean;
}

/** Every scope the bridge's manifest asks for. */
export const FULL_BOT_SCOPES: readonly string[] = [
  "app_mentions:read",
  "channels:history",
  "groups:history",
  "im:history",
  "mpim:history",
  "chat:write",
  "reactions:read",
  "files:read",
  "files:write",
  "users:read",
  "commands",
  "assistant:write",
  "im:write",
];

export const DEFAULT_FAKE_TEAM: FakeSlackTeam = {
  teamId: "T0FAKE",
  teamName: "Fake Workspace",
  botToken: "xoxb-fake-bot-token",
  botUserId: "UBOT",
  botId: "BBOT",
  appToken: "xapp-fake-app-token",
  appId: "AFAKEAPP",
  scopes: FULL_BOT_SCOPES,
};
