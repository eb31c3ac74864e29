import { compareSnowflakes, FAKE_IDS } from "./ids.js";

/** Plain JSON shapes as Discord sends them (only the fields discord.js and the adapter read). */
export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  bot?: boolean;
  discriminator: "0";
  avatar: null;
}

interface FakeRole {
  id: string;
  name: string;
  permissions: string;
  position: number;
  color: 0;
  hoist: false;
  managed: boolean;
  mentionable: boolean;
  flags: 0;
  tags?: { bot_id?: string };
}

export interface FakeChannel {
  id: string;
  /** 0 text, 1 DM, 2 voice, 5 announcement, 10/11/12 threads, 15 forum. */
  type: number;
  name?: string;
  guild_id?: string;
  parent_id?: string | null;
  owner_id?: string;
  recipients?: FakeUser[];
  thread_metadata?: { archived: boolean; auto_archive_duration: number; archive_timestamp: string; locked: boolean };
  message_count?: number;
  member_count?: number;
  position?: number;
  permission_overwrites?: [];
  [key: string]: unknown;
}

export interface FakeGuild {
  id: string;
  name: string;
  roles: FakeRole[];
  /** Role ids of each member (the bot is always a member). */
  memberRoles: Map<string, string[]>;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  content_type: string;
  size: number;
  url: string;
  proxy_url: string;
  duration_secs?: number;
  waveform?: string;
}

export interface EditRecord {
  /** When the edit was applied (fakeNowMs). */
  at: number;
  content: string;
  components: unknown[];
  embeds: unknown[];
}

export interface StoredMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: FakeUser;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: FakeAttachment[];
  mentions: FakeUser[];
  mention_roles: string[];
  mention_everyone: boolean;
  type: number;
  flags: number;
  timestamp: string;
  edited_timestamp: string | null;
  tts: false;
  pinned: false;
  /** type 0 DEFAULT (a reply), 1 FORWARD. */
  message_reference?: { type?: number; message_id: string; channel_id: string; guild_id?: string };
  /** A forward's copy of the forwarded message. */
  message_snapshots?: Array<{ message: Record<string, unknown> }>;
  referenced_message?: StoredMessage | null;
  webhook_id?: string;
  /** Fake-only bookkeeping, stripped before sending. */
  edits: EditRecord[];
  deleted: boolean;
  allowedMentions?: unknown;
}

/** Everything the fake knows: users, guilds, channels (threads and DMs included) and messages. */
export class FakeWorld {
  readonly users = new Map<string, FakeUser>();
  readonly guilds = new Map<string, FakeGuild>();
  readonly channels = new Map<string, FakeChannel>();
  readonly messages = new Map<string, StoredMessage[]>();
  /** Nonces sent with `enforce_nonce`, by author and nonce: the message they created and when. */
  readonly nonces = new Map<string, { readonly message: StoredMessage; readonly at: number }>();

  addUser(user: Partial<FakeUser> & { id: string; username: string }): FakeUser {
    const full: FakeUser = { global_name: null, discriminator: "0", avatar: null, ...user };
    this.users.set(full.id, full);
    return full;
  }

  user(id: string): FakeUser {
    const u = this.users.get(id);
    if (!u) throw new Error(`fake discord: unknown user ${id}`);
    return u;
  }

  addChannel(channel: FakeChannel): FakeChannel {
    this.channels.set(channel.id, channel);
    if (!this.messages.has(channel.id)) this.messages.set(channel.id, []);
    return channel;
  }

  channel(id: string): FakeChannel {
    const c = this.channels.get(id);
    if (!c) throw new Error(`fake discord: unknown channel ${id}`);
    return c;
  }

  guildChannels(guildId: string): FakeChannel[] {
    return [...this.channels.values()].filter((c) => c.guild_id === guildId);
  }

  storeMessage(message: StoredMessage): StoredMessage {
    const list = this.messages.get(message.channel_id) ?? [];
    list.push(message);
    list.sort((a, b) => compareSnowflakes(a.id, b.id));
    this.messages.set(message.channel_id, list);
    return message;
  }

  /**
   * Another guild the bot is in, with one text channel; @everyone holds the bot's permissions and the default
   * users are members. Add it before the bot connects (GUILD_CREATE is sent on IDENTIFY).
   */
  addGuild(input: { id: string; name: string; channelId: string; channelName?: string }): FakeGuild {
    const guild: FakeGuild = {
      id: input.id,
      name: input.name,
      roles: [
        {
          id: input.id,
          name: "@everyone",
          permissions: BOT_ROLE_PERMISSIONS,
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: true,
          flags: 0,
        },
      ],
      memberRoles: new Map([...this.users.keys()].map((userId) => [userId, []])),
    };
    this.guilds.set(guild.id, guild);
    this.addChannel({
      id: input.channelId,
      type: 0,
      name: input.channelName ?? "general",
      guild_id: guild.id,
      parent_id: null,
      position: 0,
      permission_overwrites: [],
    });
    return guild;
  }

  findMessage(channelId: string, messageId: string): StoredMessage | undefined {
    return this.messages.get(channelId)?.find((m) => m.id === messageId && !m.deleted);
  }
}

/** The bot role grants exactly what the bridge needs (adapters/discord/permissions.ts); @everyone may view. */
const BOT_ROLE_PERMISSIONS = "309237763072";
const EVERYONE_PERMISSIONS = "1024";

/** The default world: one guild with channels, roles, a user-made thread, three users, and a second guild. */
export function buildDefaultWorld(options: { inNoGuild?: boolean } = {}): FakeWorld {
  const w = new FakeWorld();
  w.addUser({ id: FAKE_IDS.bot, username: "DifyBot", bot: true });
  w.addUser({ id: FAKE_IDS.alice, username: "alice", global_name: "Alice" });
  w.addUser({ id: FAKE_IDS.bob, username: "bob", global_name: "Bob" });
  w.addUser({ id: FAKE_IDS.otherBot, username: "otherbot", bot: true });
  if (options.inNoGuild) return w;

  const role = (id: string, name: string, permissions: string, position: number, extra: Partial<FakeRole> = {}): FakeRole => ({
    id,
    name,
    permissions,
    position,
    color: 0,
    hoist: false,
    managed: false,
    mentionable: true,
    flags: 0,
    ...extra,
  });
  w.guilds.set(FAKE_IDS.guild, {
    id: FAKE_IDS.guild,
    name: "Test Guild",
    roles: [
      role(FAKE_IDS.guild, "@everyone", EVERYONE_PERMISSIONS, 0),
      role(FAKE_IDS.botRole, "DifyBot", BOT_ROLE_PERMISSIONS, 1, { managed: true, tags: { bot_id: FAKE_IDS.bot } }),
      role(FAKE_IDS.supportRole, "Support", "0", 2),
    ],
    memberRoles: new Map([
      [FAKE_IDS.bot, [FAKE_IDS.botRole]],
      [FAKE_IDS.alice, [FAKE_IDS.supportRole]],
      [FAKE_IDS.bob, []],
      [FAKE_IDS.otherBot, []],
    ]),
  });
  const text = (id: string, name: string, type = 0, guild: string = FAKE_IDS.guild): FakeChannel =>
    w.addChannel({ id, type, name, guild_id: guild, parent_id: null, position: 0, permission_overwrites: [] });
  text(FAKE_IDS.general, "general");
  text(FAKE_IDS.random, "random");
  text(FAKE_IDS.announcements, "announcements", 5);
  text(FAKE_IDS.voice, "Lounge", 2);
  w.addChannel({
    id: FAKE_IDS.forum,
    type: 15,
    name: "help-forum",
    guild_id: FAKE_IDS.guild,
    parent_id: null,
    position: 0,
    permission_overwrites: [],
    available_tags: [],
    default_reaction_emoji: null,
    default_sort_order: null,
    default_forum_layout: 0,
    flags: 0,
  });

  w.guilds.set(FAKE_IDS.otherGuild, {
    id: FAKE_IDS.otherGuild,
    name: "Other Guild",
    roles: [role(FAKE_IDS.otherGuild, "@everyone", BOT_ROLE_PERMISSIONS, 0)],
    memberRoles: new Map([
      [FAKE_IDS.bot, []],
      [FAKE_IDS.alice, []],
    ]),
  });
  text(FAKE_IDS.otherGuildChannel, "elsewhere", 0, FAKE_IDS.otherGuild);

  // A thread alice started from her own message before anyone asked the bot.
  const starter: StoredMessage = {
    id: FAKE_IDS.existingThreadStarter,
    channel_id: FAKE_IDS.general,
    guild_id: FAKE_IDS.guild,
    author: w.user(FAKE_IDS.alice),
    content: "Release planning",
    embeds: [],
    components: [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    type: 0,
    flags: 32,
    timestamp: new Date(Date.UTC(2025, 0, 1)).toISOString(),
    edited_timestamp: null,
    tts: false,
    pinned: false,
    edits: [],
    deleted: false,
  };
  w.storeMessage(starter);
  w.addChannel(threadChannel(FAKE_IDS.existingThread, FAKE_IDS.general, FAKE_IDS.guild, FAKE_IDS.alice, "Release planning", 11));
  return w;
}

export function threadChannel(id: string, parentId: string, guildId: string, ownerId: string, name: string, type: number): FakeChannel {
  return {
    id,
    type,
    name,
    guild_id: guildId,
    parent_id: parentId,
    owner_id: ownerId,
    thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
    message_count: 0,
    member_count: 1,
    rate_limit_per_user: 0,
    flags: 0,
    total_message_sent: 0,
  };
}
