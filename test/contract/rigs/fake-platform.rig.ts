import {
  PlatformAuthError,
  PlatformNotFoundError,
  PlatformPermissionError,
  PlatformRateLimitError,
  PlatformValidationError,
} from "../../../src/contracts/errors.js";
import type { Author, InboundAttachment, MessageRef } from "../../../src/contracts/messages.js";
import type { Reaction } from "../../../src/contracts/reactions.js";
import { type FakeMessage, FakePlatform } from "../../fakes/fake-platform.js";
import { createCapturingSink } from "../../integration/discord/helpers.js";
import type { ContractEmoji, ContractRig, ContractSubject, Refusal, SeenMessage } from "../contract-rig.js";
import { actionOf, messageOf, reactionOf } from "./events.js";

const ANA: Author = { userId: "U1", displayName: "Ana" };
const BO: Author = { userId: "U2", displayName: "Bo" };
const BOT_USER_ID = "UBOT";
const REACTIONS: Record<ContractEmoji, Reaction | null> = { "👍🏽": "thumbs_up", "👎": "thumbs_down", "🎉": null };

/** The in-memory platform the core's tests run on: it must keep the same contract as the real adapters. */
export const fakePlatformContract: ContractSubject = {
  name: "FakePlatform (in memory)",
  setup: startFakePlatformRig,
  overLimit: { hardLimitChars: 4_000, beyond: "rejects" },
  deleteMessage: true,
  privateNotices: "always",
  nativeStreaming: true,
  threadHistory: true,
  typing: true,
};

function view(m: FakeMessage): SeenMessage {
  return {
    messageId: m.ref.messageId,
    text: m.content.markdown,
    buttons: (m.content.buttons ?? []).map((b) => ({ label: b.label, actionId: b.actionId })),
    files: m.files.map((f) => ({ name: f.name, data: f.data })),
  };
}

async function startFakePlatformRig(): Promise<ContractRig> {
  const fake = new FakePlatform({ nativeStreaming: "native" });
  const inbox = createCapturingSink();
  await fake.start(inbox.sink);
  await fake.emit(fake.message({ text: "hello there", user: ANA, channelId: "C1" }));
  const question = messageOf(await inbox.next());
  const place = { channelId: question.replyTarget.channelId, threadId: question.replyTarget.threadId as string };
  let files = 0;

  const refusals: Record<Refusal, () => Error> = {
    permission: () => new PlatformPermissionError(fake.id, "edit message", "chat:write"),
    not_found: () => new PlatformNotFoundError(fake.id, "message not found"),
    validation: () => new PlatformValidationError(fake.id, "invalid", "invalid blocks"),
    auth: () => new PlatformAuthError(fake.id, "token revoked"),
  };

  return {
    platform: fake,
    question,
    asker: ANA,
    other: BO,
    async seen(ref) {
      const m = fake.messages.get(ref.messageId);
      return m && !m.deleted ? view(m) : undefined;
    },
    async botMessages() {
      return fake.visibleMessages(place).map(view);
    },
    serverCalls: () => fake.ops.length,
    warnings: () => [],
    async userSays(user, text, file) {
      const attachments: InboundAttachment[] = [];
      if (file) {
        const ref = `fake-file://${++files}/${file.name}`;
        fake.attachments.set(ref, file.data);
        attachments.push({ id: `F${files}`, name: file.name, mimeType: file.mimeType, sizeBytes: file.data.byteLength, isVoiceNote: false, ref });
      }
      await fake.emit(fake.message({ text, user, ...place, mentionsBot: false, inExistingThread: true, attachments }));
      return messageOf(await inbox.next());
    },
    async userReacts(by, ref, emoji, added) {
      const userId = by === "bot" ? BOT_USER_ID : by.userId;
      await fake.emit(fake.reaction(ref, { userId, reaction: REACTIONS[emoji], added, isBot: by === "bot" }));
      return reactionOf(await inbox.next());
    },
    async userClicks(user, ref: MessageRef, label) {
      const m = fake.messages.get(ref.messageId);
      const button = m && !m.deleted ? m.content.buttons?.find((b) => b.label === label) : undefined;
      if (!m || !button) throw new Error(`message ${ref.messageId} shows no button labelled "${label}"`);
      // The same conversation key and target the fake's message builder gives this thread.
      const target = { platform: fake.id, workspaceId: m.ref.workspaceId, channelId: m.ref.channelId, threadId: m.ref.threadId as string };
      await fake.emit(fake.click(m.ref, button.actionId, user, `${fake.id}:${target.workspaceId}:${target.channelId}:${target.threadId}`, target));
      return actionOf(await inbox.next());
    },
    // The in-memory platform has no event stream of its own posts.
    echoOwnMessage: async () => {},
    privateNotices: () => fake.ephemerals.map((e) => ({ userId: e.userId, text: e.text })),
    typingSignals: () => fake.opsOf("typing").length,
    refuseNextEdit: (refusal) => fake.failNext("edit", refusals[refusal]()),
    rateLimitNextEdit: (retryAfterMs) => fake.failNext("edit", new PlatformRateLimitError(fake.id, retryAfterMs)),
    close: () => fake.stop(),
  };
}
