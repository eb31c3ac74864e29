import type { WebClient } from "@slack/web-api";
import type { NativeStreaming, StreamTasks } from "../../src/contracts/chat-platform.js";
import { PlatformError, PlatformValidationError } from "../../src/contracts/errors.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { MessageRef } from "../../src/contracts/messages.js";
import { callSlack } from "./errors.js";
import { neutralizeMassMentions } from "./mass-mentions.js";
import { postKeyMetadata } from "./post-keys.js";
import { renderExtras, SLACK_LIMITS, toSdkBlocks } from "./render.js";
import { streamChunks } from "./stream-chunks.js";

function checkLength(markdown: string): void {
  if (markdown.length > SLACK_LIMITS.streamMarkdownChars) {
    throw new PlatformValidationError("slack", "too_long", `stream chunk of ${markdown.length} characters`);
  }
}

/** Text alone goes as `markdown_text`; with work cards everything goes as `chunks` (Slack takes one or the other). */
function content(
  markdown: string,
  tasks: StreamTasks | undefined,
): { markdown_text: string } | { chunks: ReturnType<typeof streamChunks> } | Record<string, never> {
  // @channel / @here / @everyone from Dify's text never ping anyone (mass-mentions.ts).
  const text = neutralizeMassMentions(markdown);
  if (tasks && (tasks.tasks.length > 0 || tasks.plan !== undefined)) return { chunks: streamChunks(text, tasks) };
  return text !== "" ? { markdown_text: text } : {};
}

/**
 * Slack's append-only streaming (chat.startStream / appendStream / stopStream). The text goes out as given,
 * with no client-side buffering (the SDK's ChatStreamer holds back 256 characters; the core already paces
 * calls to the budgets). Work cards go as `task_update` chunks, shown as a plan ("task_display_mode": plan)
 * when the stream names one. A streaming message cannot carry buttons: a placeholder the core posted keeps
 * the Stop button until `stop`, which appends the final extras and then deletes it.
 */
export function createSlackNativeStreaming(
  clientFor: (workspaceId: string) => Promise<WebClient>,
  mode: "auto" | "native",
  logger: Logger,
  opts: {
    readonly feedbackButtons: boolean;
    readonly onStopped?: (ref: MessageRef, markdown: string) => void;
    /** See `NativeStreaming.adoptInterrupted` (stream-adoption.ts). */
    readonly adoptInterrupted?: NativeStreaming["adoptInterrupted"];
  },
): NativeStreaming {
  return {
    mode,
    ...(opts.adoptInterrupted ? { adoptInterrupted: opts.adoptInterrupted } : {}),

    async start(target, markdown, opts) {
      if (target.threadId === undefined) {
        throw new PlatformValidationError("slack", "invalid", "a Slack stream must be a thread reply");
      }
      const body = content(markdown, opts.tasks);
      if (Object.keys(body).length === 0 || (markdown.trim() === "" && !("chunks" in body))) {
        throw new PlatformValidationError("slack", "invalid", "a Slack stream starts with text or work cards");
      }
      checkLength(markdown);
      const client = await clientFor(target.workspaceId);
      // Slack documents the recipient as required outside DMs; with bot tokens it has been seen to insist on
      // it in DMs as well (missing_recipient_*), and the asker is always known, so it is always sent.
      const res = await callSlack("chat.startStream", () =>
        client.chat.startStream({
          channel: target.channelId,
          thread_ts: target.threadId as string,
          ...body,
          ...(opts.tasks?.plan !== undefined ? { task_display_mode: "plan" } : {}),
          recipient_user_id: opts.askerUserId,
          recipient_team_id: target.hints?.recipientTeamId ?? target.workspaceId,
        }),
      );
      if (!res.ts) throw new PlatformError("slack", "chat.startStream returned no ts");
      const ref: MessageRef = {
        platform: "slack",
        workspaceId: target.workspaceId,
        channelId: res.channel ?? target.channelId,
        messageId: res.ts,
        threadId: target.threadId,
      };
      return ref;
    },

    async append(ref, markdownDelta, tasks) {
      const body = content(markdownDelta, tasks);
      if (Object.keys(body).length === 0) return;
      checkLength(markdownDelta);
      const client = await clientFor(ref.workspaceId);
      await callSlack("chat.appendStream", () => client.chat.appendStream({ channel: ref.channelId, ts: ref.messageId, ...body }));
    },

    async stop(ref, final, stopOpts) {
      checkLength(final.markdownDelta);
      const client = await clientFor(ref.workspaceId);
      const blocks = renderExtras(opts.feedbackButtons ? final.content : { ...final.content, feedback: false });
      await callSlack("chat.stopStream", () =>
        client.chat.stopStream({
          channel: ref.channelId,
          ts: ref.messageId,
          ...content(final.markdownDelta, final.tasks),
          ...(blocks.length > 0 ? { blocks: toSdkBlocks(blocks) } : {}),
          // chat.startStream takes no metadata; the stop gives the finished message its key (post-keys.ts).
          ...(stopOpts.key ? { metadata: postKeyMetadata(stopOpts.key) } : {}),
        }),
      );
      opts.onStopped?.(ref, final.content.markdown);
      const placeholder = stopOpts.placeholder;
      if (!placeholder) return;
      // The answer is complete and visible now. A placeholder that cannot be removed is logged, not thrown:
      // throwing would make the core fall back to edits and post the answer a second time.
      try {
        await callSlack("chat.delete", () => client.chat.delete({ channel: placeholder.channelId, ts: placeholder.messageId }));
      } catch (err) {
        const level = err instanceof PlatformError && err.code === "PLATFORM_NOT_FOUND" ? "debug" : "warn";
        logger[level]({ platform: "slack", err, placeholder: placeholder.messageId }, "could not remove the placeholder after a stream");
      }
    },
  };
}
