/**
 * Bot token scopes the adapter relies on, each with what breaks without it. Kept in sync with
 * slack-app-manifest.yml (a unit test compares the two). The app-level token used for Socket Mode needs
 * `connections:write`, which is not a bot scope and so is not listed here.
 */
export const REQUIRED_BOT_SCOPES = {
  "app_mentions:read": "receive mentions of the bot (app_mention)",
  "channels:history": "read messages and thread replies in public channels",
  "groups:history": "read messages and thread replies in private channels",
  "im:history": "read direct messages to the bot",
  "mpim:history": "read group direct messages",
  "chat:write": "post, edit, stream and delete replies",
  "reactions:read": "turn 👍/👎 reactions into feedback",
  "files:read": "download files attached to questions",
  "files:write": "upload files produced by the app into the thread",
  "users:read": "show people's names instead of their ids",
  commands: 'the /ask, /ask-private and /new commands and the "Ask … about this" message shortcut',
  "assistant:write": "the AI app's suggested prompts when someone opens the DM and the titles of its threads (SLACK_AI_APP)",
  "im:write": "open the DM a Home tab starter question is answered in (conversations.open)",
} as const satisfies Record<string, string>;

export type SlackBotScope = keyof typeof REQUIRED_BOT_SCOPES;

/** Required scopes the token was not granted, in the order of `REQUIRED_BOT_SCOPES`. */
export function findMissingScopes(granted: readonly string[]): SlackBotScope[] {
  const have = new Set(granted.map((s) => s.trim()));
  return (Object.keys(REQUIRED_BOT_SCOPES) as SlackBotScope[]).filter((s) => !have.has(s));
}
