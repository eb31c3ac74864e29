import { FAKE_LIMITS, findOwnMessage, metadataOf } from "./chat-methods.js";
import type { FakeSlackMessage, FakeTaskCard } from "./message-store.js";
import { fail, type MethodContext, type MethodHandler, ok, required, str } from "./method-types.js";

const TASK_STATUSES = new Set(["pending", "in_progress", "complete", "error"]);
/** `details` and `output` of a task take at most 256 characters. */
const TASK_TEXT_CHARS = 256;

function markdownArg(ctx: MethodContext, isRequired: boolean): string {
  const md = str(ctx.fields, "markdown_text");
  if (md === undefined) return isRequired && ctx.fields.chunks === undefined ? fail("invalid_arguments", { missing: "markdown_text" }) : "";
  // Slack checks the limit per call, not for the whole stream.
  if (md.length > FAKE_LIMITS.markdownChars) fail("msg_too_long");
  return md;
}

function taskOf(c: Record<string, unknown>): FakeTaskCard {
  const { id, title, status, details, output, sources } = c;
  if (typeof id !== "string" || id === "" || typeof title !== "string" || typeof status !== "string" || !TASK_STATUSES.has(status)) {
    return fail("invalid_chunks", { chunk: "task_update" });
  }
  for (const text of [details, output]) {
    if (text !== undefined && (typeof text !== "string" || text.length > TASK_TEXT_CHARS)) fail("invalid_chunks", { chunk: "task_update" });
  }
  let urls: FakeTaskCard["sources"];
  if (sources !== undefined) {
    if (!Array.isArray(sources)) return fail("invalid_chunks", { chunk: "task_update" });
    urls = sources.map((s) => {
      const u = s as { type?: unknown; url?: unknown; text?: unknown };
      if (u.type !== "url" || typeof u.url !== "string" || typeof u.text !== "string") return fail("invalid_chunks", { chunk: "task_update" });
      return { type: "url" as const, url: u.url, text: u.text };
    });
  }
  return {
    id,
    title,
    status: status as FakeTaskCard["status"],
    ...(typeof details === "string" ? { details } : {}),
    ...(typeof output === "string" ? { output } : {}),
    ...(urls ? { sources: urls } : {}),
  };
}

/**
 * The `chunks` argument: `markdown_text` appends text, `task_update` creates or replaces the card with its `id`,
 * `plan_update` retitles the plan. Returns the text the chunks add.
 */
function applyChunks(ctx: MethodContext, msg: FakeSlackMessage): string {
  const raw = ctx.fields.chunks;
  if (raw === undefined) return "";
  if (!Array.isArray(raw) || raw.length === 0) return fail("invalid_chunks");
  let text = "";
  for (const c of raw as Record<string, unknown>[]) {
    switch (c?.type) {
      case "markdown_text":
        if (typeof c.text !== "string") fail("invalid_chunks", { chunk: "markdown_text" });
        text += String(c.text);
        break;
      case "plan_update":
        if (typeof c.title !== "string" || c.title === "") fail("invalid_chunks", { chunk: "plan_update" });
        msg.plan = String(c.title);
        break;
      case "task_update": {
        const task = taskOf(c);
        msg.taskUpdates.push(task);
        const at = msg.tasks.findIndex((t) => t.id === task.id);
        if (at >= 0) msg.tasks[at] = task;
        else msg.tasks.push(task);
        break;
      }
      default:
        fail("invalid_chunks", { chunk: String(c?.type) });
    }
  }
  if (text.length > FAKE_LIMITS.markdownChars) fail("msg_too_long");
  return text;
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
    const mode = str(ctx.fields, "task_display_mode");
    if (mode !== undefined && mode !== "timeline" && mode !== "plan") fail("invalid_arguments", { invalid: "task_display_mode" });
    const markdown = markdownArg(ctx, true);
    const scratch = { tasks: [], plan: undefined, taskUpdates: [] } as unknown as FakeSlackMessage;
    const chunkText = applyChunks(ctx, scratch);
    const msg = ctx.store.add({
      channel,
      threadTs,
      user: ctx.team.botUserId,
      botId: ctx.team.botId,
      markdown: markdown + chunkText,
      stream: "streaming",
      via: "chat.startStream",
    });
    msg.tasks = scratch.tasks;
    msg.plan = scratch.plan;
    msg.taskUpdates.push(...scratch.taskUpdates);
    ctx.assistant.replied(channel, threadTs, "chat.startStream");
    return ok({ channel, ts: msg.ts });
  },

  "chat.appendStream": (ctx) => {
    const msg = streamingMessage(ctx);
    msg.markdown += markdownArg(ctx, true);
    msg.markdown += applyChunks(ctx, msg);
    ctx.store.record(msg, "chat.appendStream");
    return ok({ channel: msg.channel, ts: msg.ts });
  },

  "chat.stopStream": (ctx) => {
    const msg = streamingMessage(ctx);
    // chat.stopStream takes `metadata` (chat.startStream does not): the finished message carries it.
    const metadata = metadataOf(ctx);
    msg.markdown += markdownArg(ctx, false);
    msg.markdown += applyChunks(ctx, msg);
    if (metadata) msg.metadata = metadata;
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
