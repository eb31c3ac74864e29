/**
 * Mention handling on raw Discord content (pure). Discord writes mentions as tokens: `<@id>` / `<@!id>` (user),
 * `<@&id>` (role), `<#id>` (channel), `<:name:id>` / `<a:name:id>` (custom emoji), `</name:id>` (command).
 * `@everyone` and `@here` are plain text and never count as a mention of the bot.
 */

export interface MentionNames {
  readonly botUserId: string;
  /** The bot's managed role(s): a role whose `tags.bot_id` is the bot. Mentioning it addresses the bot. */
  readonly botRoleIds: ReadonlySet<string>;
  /** Display names of mentioned users, roles and channels, to turn tokens into readable text. */
  readonly users: ReadonlyMap<string, string>;
  readonly roles: ReadonlyMap<string, string>;
  readonly channels: ReadonlyMap<string, string>;
}

export interface MentionScan {
  readonly mentionsBot: boolean;
  readonly mentionsOthers: boolean;
  /** Content with the bot's mentions removed and other mentions turned into @names. */
  readonly text: string;
}

/** Stand-in for a removed bot mention until `tidy` decides what it becomes. */
const REMOVED = "\u0000";
const USER_TOKEN = /<@!?(\d+)>/g;
const ROLE_TOKEN = /<@&(\d+)>/g;
const CHANNEL_TOKEN = /<#(\d+)>/g;
const EMOJI_TOKEN = /<a?:(\w+):\d+>/g;
const COMMAND_TOKEN = /<\/([\w -]+):\d+>/g;

export function scanMentions(content: string, names: MentionNames): MentionScan {
  let mentionsBot = false;
  let mentionsOthers = false;

  let text = content.replace(/[ \t]*<@!?(\d+)>[ \t]*/g, (token, id: string) => {
    if (id !== names.botUserId) return token;
    mentionsBot = true;
    return REMOVED;
  });
  text = text.replace(/[ \t]*<@&(\d+)>[ \t]*/g, (token, id: string) => {
    if (!names.botRoleIds.has(id)) return token;
    mentionsBot = true;
    return REMOVED;
  });

  text = text
    .replace(USER_TOKEN, (_t, id: string) => {
      mentionsOthers = true;
      return `@${names.users.get(id) ?? "user"}`;
    })
    .replace(ROLE_TOKEN, (_t, id: string) => {
      mentionsOthers = true;
      return `@${names.roles.get(id) ?? "role"}`;
    })
    .replace(CHANNEL_TOKEN, (_t, id: string) => `#${names.channels.get(id) ?? "channel"}`)
    .replace(EMOJI_TOKEN, (_t, name: string) => `:${name}:`)
    .replace(COMMAND_TOKEN, (_t, name: string) => `/${name}`);

  return { mentionsBot, mentionsOthers, text: tidy(text) };
}

/**
 * A removed mention takes its surrounding blanks with it: it becomes nothing at a line's edge and one space
 * between words, and every other character (code indentation included) is kept.
 */
function tidy(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL marks where a mention was cut out; these lines remove the markers.
      .replace(/^\u0000+|\u0000+$/gm, "")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: as above.
      .replace(/\u0000+/g, " ")
      .trim()
  );
}
