import type { Author } from "../../../src/contracts/messages.js";
import type { FakeResponse } from "../../fakes/discord/http-body.js";
import { FakeDiscord, type StoredMessage } from "../../fakes/discord/index.js";
import { createCapturingLogger, createCapturingSink, platformFor } from "../../integration/discord/helpers.js";
import type { ContractRig, ContractSubject, Refusal, SeenMessage } from "../contract-rig.js";
import { actionOf, messageOf, reactionOf } from "./events.js";

/** Discord's answers to a refused message edit (discord-api-docs topics/opcodes-and-status-codes: JSON error codes). */
const REFUSALS: Record<Refusal, FakeResponse> = {
  permission: { status: 403, body: { code: 50013, message: "Missing Permissions" } },
  not_found: { status: 404, body: { code: 10008, message: "Unknown Message" } },
  validation: {
    status: 400,
    body: { code: 50035, message: "Invalid Form Body", errors: { content: { _errors: [{ code: "BASE_TYPE_REQUIRED", message: "This field is required" }] } } },
  },
  auth: { status: 401, body: { code: 0, message: "401: Unauthorized" } },
};
const MESSAGE_EDIT = /^\/channels\/\d+\/messages\/\d+$/;

/** The Discord adapter: real discord.js (gateway and REST) against the fake Discord. */
export const discordContract: ContractSubject = {
  name: "Discord (real discord.js, fake Discord)",
  setup: startDiscordRig,
  overLimit: { hardLimitChars: 2_000, beyond: "cuts-visibly" },
  deleteMessage: true,
  privateNotices: "after-a-click",
  nativeStreaming: { absent: "Discord has no append-only message API; the core streams by editing" },
  threadHistory: true,
  typing: true,
};

interface Row {
  readonly components?: readonly { type?: number; label?: string; custom_id?: string }[];
}

async function view(m: StoredMessage): Promise<SeenMessage> {
  const buttons = (m.components as Row[])
    .flatMap((r) => r.components ?? [])
    .filter((c) => c.type === 2)
    .map((c) => ({ label: c.label ?? "", actionId: c.custom_id ?? "" }));
  // What a user downloads: the attachment's bytes from the CDN.
  const files = await Promise.all(m.attachments.map(async (a) => ({ name: a.filename, data: new Uint8Array(await (await fetch(a.url)).arrayBuffer()) })));
  return { messageId: m.id, text: m.content, buttons, files };
}

async function startDiscordRig(): Promise<ContractRig> {
  const fake = await FakeDiscord.start({ heartbeatIntervalMs: 250 });
  const logger = createCapturingLogger();
  const platform = platformFor(fake, logger);
  const inbox = createCapturingSink();
  await platform.start(inbox.sink);
  const user = (id: string): Author => ({ userId: id, displayName: String(fake.world.user(id).global_name ?? fake.world.user(id).username) });
  const asker = user(fake.ids.alice);
  const thread = fake.ids.existingThread;

  fake.users.sendMessage({ channelId: thread, authorId: asker.userId, content: `<@${fake.ids.bot}> hello there` });
  const question = messageOf(await inbox.next());

  return {
    platform,
    question,
    asker,
    other: user(fake.ids.bob),
    async seen(ref) {
      const m = fake.world.findMessage(ref.channelId, ref.messageId);
      return m && !m.deleted ? view(m) : undefined;
    },
    botMessages: () => Promise.all(fake.botMessages(thread).map(view)),
    serverCalls: () => fake.requests.length,
    warnings: () => logger.entries.filter((e) => e.level === "warn").map((e) => e.msg),
    async userSays(author, text, file) {
      const attachments = file ? [{ filename: file.name, contentType: file.mimeType, data: file.data }] : [];
      fake.users.sendMessage({ channelId: thread, authorId: author.userId, content: text, attachments });
      return messageOf(await inbox.next());
    },
    async userReacts(by, ref, emoji, added) {
      const userId = by === "bot" ? fake.ids.bot : by.userId;
      fake.users.react({ channelId: ref.channelId, messageId: ref.messageId, userId, emoji, add: added });
      return reactionOf(await inbox.next());
    },
    async userClicks(author, ref, label) {
      const m = fake.world.findMessage(ref.channelId, ref.messageId);
      const button = m && (await view(m)).buttons.find((b) => b.label === label);
      if (!button) throw new Error(`message ${ref.messageId} shows no button labelled "${label}"`);
      fake.users.clickButton({ channelId: ref.channelId, messageId: ref.messageId, customId: button.actionId, userId: author.userId });
      return actionOf(await inbox.next());
    },
    // The fake dispatches MESSAGE_CREATE for every message the bot posts, as Discord does.
    echoOwnMessage: async () => {},
    privateNotices: () => fake.interactionFollowUps.filter((f) => f.ephemeral).map((f) => ({ userId: f.userId, text: f.content })),
    typingSignals: () => fake.requestsTo("POST", /\/typing$/).filter((r) => r.status === 204).length,
    refuseNextEdit: (refusal) => fake.failNext({ method: "PATCH", path: MESSAGE_EDIT, response: REFUSALS[refusal] }),
    rateLimitNextEdit: (retryAfterMs) => fake.rateLimitNext({ method: "PATCH", path: MESSAGE_EDIT, retryAfterMs }),
    async close() {
      await platform.stop();
      await fake.close();
    },
  };
}
