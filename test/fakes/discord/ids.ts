/** Snowflakes for the fake: increasing with time, like Discord's, so "before <id>" queries order correctly. */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

export class SnowflakeGenerator {
  #last = 0n;

  next(): string {
    let id = (BigInt(Date.now()) - DISCORD_EPOCH_MS) << 22n;
    if (id <= this.#last) id = this.#last + 1n;
    this.#last = id;
    return id.toString();
  }
}

export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The ids of the default world every FakeDiscord starts with (see world.ts). Real-looking 19-digit snowflakes. */
export const FAKE_IDS = {
  bot: "1100000000000000001",
  application: "1100000000000000001",
  guild: "1200000000000000001",
  /** A text channel. */
  general: "1300000000000000001",
  /** A second text channel (for allow-list tests). */
  random: "1300000000000000002",
  announcements: "1300000000000000003",
  /** A voice channel's text chat: threads are impossible there. */
  voice: "1300000000000000004",
  /** A forum channel (type 15 GUILD_FORUM): it holds only posts, each a thread that opens with its own message. */
  forum: "1300000000000000005",
  /** The bot's managed role (tags.bot_id = bot). */
  botRole: "1400000000000000001",
  supportRole: "1400000000000000002",
  alice: "1500000000000000001",
  bob: "1500000000000000002",
  otherBot: "1500000000000000009",
  /** A thread in #general that alice created before the bot was involved. */
  existingThread: "1600000000000000001",
  /** The message the existing thread was started from. */
  existingThreadStarter: "1600000000000000001",
  otherGuild: "1200000000000000002",
  otherGuildChannel: "1300000000000000010",
} as const;

export const FAKE_TOKEN = "FAKE.BOT.TOKEN";
