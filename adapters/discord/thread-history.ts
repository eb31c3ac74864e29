import { type APIMessage, MessageType, type REST, Routes } from "discord.js";
import type { ReplyTarget, ThreadHistoryMessage } from "../../src/contracts/messages.js";
import { translateDiscordError } from "./errors.js";
import { DISCORD_LIMITS } from "./limits.js";
import { scanMentions } from "./mentions.js";
import { startThreadHint } from "./reply-target-hints.js";

/**
 * Messages already in a thread before `beforeMessageId`, oldest first (Discord returns newest first, at most
 * 100 per request). A thread the bot is about to create has no history yet.
 */
export async function fetchThreadHistory(
  rest: REST,
  target: ReplyTarget,
  opts: { beforeMessageId: string; limit: number },
): Promise<readonly ThreadHistoryMessage[]> {
  if (startThreadHint(target) || opts.limit <= 0) return [];
  const collected: APIMessage[] = [];
  let before = opts.beforeMessageId;
  while (collected.length < opts.limit) {
    const pageSize = Math.min(DISCORD_LIMITS.historyPageSize, opts.limit - collected.length);
    let page: APIMessage[];
    try {
      const query = new URLSearchParams({ before, limit: String(pageSize) });
      page = (await rest.get(Routes.channelMessages(target.channelId), { query })) as APIMessage[];
    } catch (err) {
      throw translateDiscordError(err, { action: "read thread history", permission: "Read Message History" });
    }
    collected.push(...page);
    const last = page.at(-1);
    if (page.length < pageSize || !last) break;
    before = last.id;
  }
  return collected
    .reverse()
    .map(historyEntry)
    .filter((m): m is ThreadHistoryMessage => m !== null);
}

/**
 * One API message → history entry; system messages are skipped, a thread's starter message is unwrapped.
 * @internal Exported for its unit test.
 */
export function historyEntry(msg: APIMessage): ThreadHistoryMessage | null {
  const source = msg.type === MessageType.ThreadStarterMessage ? msg.referenced_message : msg;
  if (!source || (source.type !== MessageType.Default && source.type !== MessageType.Reply)) return null;
  const scan = scanMentions(source.content, {
    // Every mention becomes a readable @name here, the bot's included: it is context, not a command.
    botUserId: "",
    botRoleIds: new Set(),
    users: new Map(source.mentions.map((u) => [u.id, u.global_name ?? u.username])),
    roles: new Map(),
    channels: new Map(),
  });
  const files = source.attachments.map((a) => a.filename);
  const text = [scan.text, files.length > 0 ? `[attached: ${files.join(", ")}]` : ""].filter((s) => s !== "").join("\n");
  if (text === "") return null;
  return {
    author: { userId: source.author.id, displayName: source.author.global_name ?? source.author.username },
    isBot: source.author.bot === true,
    text,
  };
}
