import type { Author } from "../../../src/contracts/messages.js";
import { FAKE_LIMITS, FakeSlackApi, type FakeSlackMessage } from "../../fakes/slack/index.js";
import { createCapturingSink } from "../../integration/discord/helpers.js";
import { startHttpPlatform } from "../../integration/slack/harness.js";
import type { ContractEmoji, ContractRig, ContractSubject, Refusal, SeenMessage } from "../contract-rig.js";
import { actionOf, messageOf, reactionOf } from "./events.js";

const ANA: Author = { userId: "U1", displayName: "Ana" };
const BO: Author = { userId: "U2", displayName: "Bo" };
const CHANNEL = "C1";
/** Slack's reaction names: `+1` with a skin tone, `-1`, and an emoji that is neither. */
const REACTION_NAMES: Record<ContractEmoji, string> = { "👍🏽": "+1::skin-tone-4", "👎": "-1", "🎉": "tada" };
/** How Slack words each refusal of chat.update (docs.slack.dev/reference/methods/chat.update, "Errors"). */
const REFUSALS: Record<Refusal, { error: string; extra?: Record<string, unknown> }> = {
  permission: { error: "missing_scope", extra: { needed: "chat:write", provided: "app_mentions:read" } },
  not_found: { error: "message_not_found" },
  validation: { error: "invalid_blocks" },
  auth: { error: "token_revoked" },
};

/** The Slack adapter: real Bolt (HTTP Events API, signed requests) and WebClient against the fake Slack. */
export const slackContract: ContractSubject = {
  name: "Slack (real Bolt and WebClient, fake Slack)",
  setup: startSlackRig,
  // A markdown block holds 12,000 characters; maxMessageLength stays below so the core's closing lines fit.
  overLimit: { hardLimitChars: FAKE_LIMITS.markdownChars, beyond: "rejects" },
  deleteMessage: true,
  privateNotices: "always",
  nativeStreaming: true,
  threadHistory: true,
  typing: {
    absent: "Slack gives bots no typing indicator in channels (assistant.threads.setStatus is for AI-assistant threads); the placeholder shows the bot at work",
  },
};

interface Block {
  readonly type?: string;
  readonly elements?: readonly { type?: string; action_id?: string; text?: { text?: string } }[];
}

function view(m: FakeSlackMessage): SeenMessage {
  const buttons = (m.blocks as Block[])
    .filter((b) => b.type === "actions")
    .flatMap((b) => b.elements ?? [])
    .filter((e) => e.type === "button")
    .map((e) => ({ label: e.text?.text ?? "", actionId: e.action_id ?? "" }));
  return { messageId: m.ts, text: m.markdown, buttons, files: m.files.map((f) => ({ name: f.name, data: new Uint8Array(f.data) })) };
}

async function startSlackRig(): Promise<ContractRig> {
  const fake = await FakeSlackApi.start({
    users: [
      { id: ANA.userId, name: "ana", displayName: ANA.displayName },
      { id: BO.userId, name: "bo", displayName: BO.displayName },
    ],
  });
  const inbox = createCapturingSink();
  const h = await startHttpPlatform(fake, { sink: inbox.sink });
  const { botUserId, botId } = fake.team;
  const p = fake.payloads;

  // The asker's mention, stored as Slack keeps it (so history and threads find it) and delivered as Slack sends it.
  const text = `<@${botUserId}> hello there`;
  const threadTs = fake.messages.add({ channel: CHANNEL, user: ANA.userId, text, via: "user" }).ts;
  await h.sender.sendEvent(p.envelope(p.appMention({ channel: CHANNEL, user: ANA.userId, ts: threadTs, text })));
  const question = messageOf(await inbox.next());

  return {
    platform: h.platform,
    question,
    asker: ANA,
    other: BO,
    async seen(ref) {
      const m = fake.messages.get(ref.channelId, ref.messageId);
      return m && !m.isDeleted ? view(m) : undefined;
    },
    async botMessages() {
      return fake.messages
        .thread(CHANNEL, threadTs)
        .filter((m) => m.user === botUserId)
        .map(view);
    },
    serverCalls: () => fake.calls.length,
    warnings: () => h.logger.entries.filter((e) => e.level === "warn").map((e) => e.msg ?? ""),
    async userSays(user, said, file) {
      const files = file ? [fake.hostFile({ name: file.name, mimetype: file.mimeType, data: Buffer.from(file.data) })] : undefined;
      const ts = fake.messages.add({ channel: CHANNEL, threadTs, user: user.userId, text: said, via: "user" }).ts;
      const event = p.message({ channel: CHANNEL, user: user.userId, ts, thread_ts: threadTs, text: said, ...(files && { subtype: "file_share", files }) });
      await h.sender.sendEvent(p.envelope(event));
      return messageOf(await inbox.next());
    },
    async userReacts(by, ref, emoji, added) {
      const user = by === "bot" ? botUserId : by.userId;
      await h.sender.sendEvent(p.envelope(p.reaction(added, { user, reaction: REACTION_NAMES[emoji], channel: ref.channelId, ts: ref.messageId })));
      return reactionOf(await inbox.next());
    },
    async userClicks(user, ref, label) {
      await h.sender.sendInteraction(fake.buttonClick({ user: user.userId, channel: ref.channelId, ts: ref.messageId, label }));
      return actionOf(await inbox.next());
    },
    // Slack sends apps the `message` events of their own posts in channels they are in (message.channels).
    async echoOwnMessage(ref) {
      const m = fake.messages.get(ref.channelId, ref.messageId);
      await h.sender.sendEvent(
        p.envelope(p.message({ channel: ref.channelId, user: botUserId, bot_id: botId, ts: ref.messageId, thread_ts: threadTs, text: m?.text ?? "" })),
      );
    },
    privateNotices: () => fake.messages.ephemerals.map((e) => ({ userId: e.user, text: e.markdown })),
    typingSignals: () => 0,
    refuseNextEdit: (refusal) => fake.failNext("chat.update", { kind: "error", ...REFUSALS[refusal] }),
    // Slack's Retry-After is whole seconds.
    rateLimitNextEdit: (retryAfterMs) => fake.failNext("chat.update", { kind: "rate_limited", retryAfterSec: Math.ceil(retryAfterMs / 1000) }),
    async close() {
      await h.close();
      await fake.close();
    },
  };
}
