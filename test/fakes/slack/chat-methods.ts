import { type FakeMessageMetadata, type FakeSlackMessage, markdownOfBlocks } from "./message-store.js";
import { fail, type MethodContext, type MethodHandler, ok, required, str } from "./method-types.js";

// Limits the fake checks, as Slack documents them.
export const FAKE_LIMITS = {
  updateTextChars: 4_000,
  textChars: 40_000,
  markdownChars: 12_000,
  blocks: 50,
} as const;

function blocksOf(ctx: MethodContext): unknown[] {
  const blocks = ctx.fields.blocks;
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks)) return fail("invalid_blocks_format");
  if (blocks.length > FAKE_LIMITS.blocks) return fail("invalid_blocks");
  for (const b of blocks) {
    if (typeof b !== "object" || b === null || typeof (b as { type?: unknown }).type !== "string") fail("invalid_blocks");
  }
  if (markdownOfBlocks(blocks).length > FAKE_LIMITS.markdownChars) fail("msg_blocks_too_long");
  return blocks;
}

/** text / blocks / markdown_text of a post or update, checked like Slack checks them. */
function contentOf(ctx: MethodContext, maxTextChars: number): { text: string; blocks: unknown[]; markdown: string } {
  const text = str(ctx.fields, "text") ?? "";
  const markdownText = str(ctx.fields, "markdown_text");
  const blocks = blocksOf(ctx);
  if (markdownText !== undefined) {
    if (text !== "" || blocks.length > 0) fail("markdown_text_conflict");
    if (markdownText.length > FAKE_LIMITS.markdownChars) fail("msg_too_long");
    return { text: "", blocks: [], markdown: markdownText };
  }
  if (text === "" && blocks.length === 0) fail("no_text");
  if (text.length > maxTextChars) fail("msg_too_long");
  return { text, blocks, markdown: markdownOfBlocks(blocks) };
}

/**
 * The `metadata` argument (https://docs.slack.dev/messaging/message-metadata): an object with a string
 * `event_type` and an object `event_payload`, else `invalid_metadata_format`. `{}` on chat.update removes the
 * message's metadata; an update without the argument keeps it (as chat.update documents). undefined: no argument.
 */
export function metadataOf(ctx: MethodContext): FakeMessageMetadata | null | undefined {
  const raw = ctx.fields.metadata;
  if (raw === undefined || raw === "") return undefined;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("invalid_metadata_format");
  const m = raw as { event_type?: unknown; event_payload?: unknown };
  if (m.event_type === undefined && m.event_payload === undefined) return null;
  if (typeof m.event_type !== "string" || typeof m.event_payload !== "object" || m.event_payload === null) return fail("invalid_metadata_format");
  return { event_type: m.event_type, event_payload: m.event_payload as Record<string, unknown> };
}

function view(m: FakeSlackMessage): Record<string, unknown> {
  return {
    type: "message",
    user: m.user,
    ...(m.botId ? { bot_id: m.botId } : {}),
    text: m.text,
    blocks: m.blocks,
    ts: m.ts,
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
  };
}

export function findOwnMessage(ctx: MethodContext, channel: string, ts: string): FakeSlackMessage {
  const msg = ctx.store.get(channel, ts);
  if (msg === undefined || msg.isDeleted) return fail("message_not_found");
  if (msg.user !== ctx.team.botUserId) return fail("cant_update_message");
  return msg;
}

export const chatMethods: Record<string, MethodHandler> = {
  "chat.postMessage": (ctx) => {
    const channel = required(ctx.fields, "channel", "channel_not_found");
    const content = contentOf(ctx, FAKE_LIMITS.textChars);
    const threadTs = str(ctx.fields, "thread_ts");
    const metadata = metadataOf(ctx);
    const msg = ctx.store.add({
      channel,
      ...(threadTs ? { threadTs } : {}),
      ...(metadata ? { metadata } : {}),
      user: ctx.team.botUserId,
      botId: ctx.team.botId,
      ...content,
      via: "chat.postMessage",
    });
    ctx.assistant.replied(channel, threadTs, "chat.postMessage");
    return ok({ channel, ts: msg.ts, message: view(msg) });
  },

  "chat.update": (ctx) => {
    const channel = required(ctx.fields, "channel", "channel_not_found");
    const msg = findOwnMessage(ctx, channel, required(ctx.fields, "ts", "message_not_found"));
    if (msg.stream === "streaming") fail("streaming_state_conflict");
    const content = contentOf(ctx, FAKE_LIMITS.updateTextChars);
    const metadata = metadataOf(ctx);
    if (metadata !== undefined) msg.metadata = metadata ?? undefined;
    msg.text = content.text;
    msg.blocks = content.blocks;
    msg.markdown = content.markdown;
    ctx.store.record(msg, "chat.update");
    return ok({ channel, ts: msg.ts, text: msg.text, message: view(msg) });
  },

  "chat.delete": (ctx) => {
    const channel = required(ctx.fields, "channel", "channel_not_found");
    const msg = findOwnMessage(ctx, channel, required(ctx.fields, "ts", "message_not_found"));
    msg.isDeleted = true;
    ctx.store.record(msg, "chat.delete");
    return ok({ channel, ts: msg.ts });
  },

  "chat.postEphemeral": (ctx) => {
    const channel = required(ctx.fields, "channel", "channel_not_found");
    const user = required(ctx.fields, "user", "user_not_in_channel");
    const content = contentOf(ctx, FAKE_LIMITS.textChars);
    const ts = ctx.store.nextTs();
    ctx.store.ephemerals.push({ ts, channel, user, threadTs: str(ctx.fields, "thread_ts"), ...content });
    return ok({ message_ts: ts });
  },
};
