import { FAKE_LIMITS, findOwnMessage } from "./chat-methods.js";
import type { FakeSlackMessage } from "./message-store.js";
import { fail, type MethodContext, type MethodHandler, ok, required, str } from "./method-types.js";

function markdownArg(ctx: MethodContext, isRequired: boolean): string {
  const md = str(ctx.fields, "markdown_text");
  if (md === undefined) return isRequired && ctx.fields.chunks === undefined ? fail("invalid_arguments", { missing: "markdown_text" }) : "";
  // Slack checks the limit per call, not for the whole stream.
  if (md.length > FAKE_LIMITS.markdownChars) fail("msg_too_long");
  return md;
}

function streamingMessage(ctx: MethodContext): FakeSlackMessage {
  const channel = required(ctx.fields, "channel", "channel_not_found");
  const msg = findOwnMessage(ctx, channel, required(ctx.fields, "ts", "message_not_found"));
  if (msg.stream !== "streaming") fail("message_not_in_streaming_state");
  return msg;
}

/** chat.startStream / appendStream / stopStream: an append-only message that is "streaming" until stopped. */
export const streamMethods: Record<string, MethodHandler> = {
  "chat.startStream": (ctx) => {
    const channel = required(ctx.fields, "channel", "channel_not_found");
    const threadTs = required(ctx.fields, "thread_ts", "invalid_thread_ts");
    // Outside direct messages the stream is addressed to one person (whose client shows it live).
    if (!channel.startsWith("D")) {
      if (str(ctx.fields, "recipient_user_id") === undefined) fail("missing_recipient_user_id");
      if (str(ctx.fields, "recipient_team_id") === undefined) fail("missing_recipient_team_id");
    }
    const markdown = markdownArg(ctx, true);
    const msg = ctx.store.add({
      channel,
      threadTs,
      user: ctx.team.botUserId,
      botId: ctx.team.botId,
      markdown,
      stream: "streaming",
      via: "chat.startStream",
    });
    return ok({ channel, ts: msg.ts });
  },

  "chat.appendStream": (ctx) => {
    const msg = streamingMessage(ctx);
    msg.markdown += markdownArg(ctx, true);
    ctx.store.record(msg, "chat.appendStream");
    return ok({ channel: msg.channel, ts: msg.ts });
  },

  "chat.stopStream": (ctx) => {
    const msg = streamingMessage(ctx);
    msg.markdown += markdownArg(ctx, false);
    const blocks = ctx.fields.blocks;
    if (blocks !== undefined) {
      if (!Array.isArray(blocks) || blocks.length > FAKE_LIMITS.blocks) fail("invalid_blocks");
      msg.blocks = blocks as unknown[];
    }
    msg.stream = "stopped";
    ctx.store.record(msg, "chat.stopStream");
    return ok({ channel: msg.channel, ts: msg.ts, message: { ts: msg.ts, text: msg.markdown, blocks: msg.blocks } });
  },
};
