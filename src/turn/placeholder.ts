import type { Job } from "bullmq";
import type { MessageContent, MessageRef } from "../contracts/messages.js";
import type { PlatformRoute } from "../gateway/platform-route.js";
import { isPermanentPlatformFailure } from "../gateway/retry-table.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import type { ReplyJobData } from "../queue/job-types.js";
import { QUEUED_TEXT, statusLineOf, THINKING_TEXT } from "../reply/reply-layout.js";
import { cannotReplyText } from "../reply/user-text.js";
import type { TurnStore } from "../state/turn-store.js";
import { stopActionId } from "./action-ids.js";
import { PermanentTurnError } from "./permanent-failure.js";
import { difyUserFor } from "./turn-context.js";

export type Placeholder = NonNullable<ReplyJobData["placeholder"]>;

/**
 * Tries for a placeholder that fails transiently; then the job fails and BullMQ runs it again later (nothing was
 * asked of Dify yet, so that is safe).
 */
const PLACEHOLDER_ATTEMPTS = 3;

/**
 * Posts "Thinking…" (or "Queued…" behind another turn) with the Stop button, and saves it with the job before
 * anything else, so a retried or recovered job edits this message instead of posting a second one. A platform
 * that refuses the post for good ends the job at once (`PermanentTurnError`), with the asker told where
 * possible: retrying a missing permission five times helps nobody.
 */
export async function postPlaceholder(
  deps: { readonly turns: TurnStore; readonly metrics: BridgeMetrics },
  job: Job<ReplyJobData>,
  route: PlatformRoute,
  isHead: boolean,
  /** The app's streaming setting: "edit" keeps the posted placeholder. */
  streamMode?: "auto" | "edit" | "native",
): Promise<Placeholder> {
  const msg = job.data.message;
  const turnId = job.id as string;
  const content: MessageContent = {
    markdown: isHead ? THINKING_TEXT : QUEUED_TEXT,
    buttons: [{ actionId: stopActionId(turnId), label: "Stop", style: "danger" }],
  };
  let ref: MessageRef | null;
  try {
    const adopted = await adoptPosted(job, route);
    if (adopted) ref = adopted;
    else if (streamMode !== "edit" && (await showOnThread(route, msg, content))) ref = null;
    else {
      ref = await route.mustLand("post", () => route.platform.postMessage(msg.replyTarget, content, { key: { turnId, part: 0 } }), {
        attempts: PLACEHOLDER_ATTEMPTS,
      });
    }
  } catch (err) {
    if (!isPermanentPlatformFailure(err)) throw err;
    const notified = await route.notice(msg.replyTarget, msg.author.userId, cannotReplyText(err), { quiet: true });
    throw new PermanentTurnError(err, notified);
  }
  deps.metrics.ackSeconds.labels(msg.platform).observe(Math.max(0, Date.now() - Date.parse(msg.receivedAt)) / 1000);
  const placeholder = { ref, content };
  await job.updateData({ ...job.data, placeholder });
  await deps.turns.update(turnId, {
    turnId,
    conversationKey: msg.conversationKey,
    replyTarget: msg.replyTarget,
    askerUserId: msg.author.userId,
    askerName: msg.author.displayName,
    difyUser: difyUserFor(msg.conversationKey),
    ...(job.data.app ? { app: job.data.app } : {}),
  });
  return placeholder;
}

/**
 * On the native path of a platform with AI-app surfaces nothing is posted: the thread's status line says the
 * answer is coming, and the agent session gives the asker the platform's own Stop control (its title, for a new
 * session, is the question). A status the platform refuses, or whose budget has no slot now, falls back to the
 * posted placeholder.
 * Resolves with whether the status line shows.
 */
async function showOnThread(route: PlatformRoute, msg: ReplyJobData["message"], content: MessageContent): Promise<boolean> {
  const assistant = route.platform.assistant;
  if (!assistant || !route.platform.streaming) return false;
  // The status line's budget is the workspace's; a post's is the channel's. Waiting for a status slot would
  // hold the answer back before Dify is even asked (200 questions at once: minutes), so a spent status budget
  // means a posted placeholder now instead.
  const slot = await route.tryAcquire("status", { priority: "high" });
  if (!slot.granted) {
    route.logger.info({ waitMs: slot.waitMs }, "the status line's budget is spent; posting a placeholder instead");
    return false;
  }
  try {
    await route.send("status", () => assistant.setStatus(msg.replyTarget, statusLineOf(content)));
  } catch (err) {
    route.logger.warn({ err }, "the thread's status line could not be set; posting a placeholder instead");
    return false;
  }
  const title = sessionTitle(msg.text);
  await assistant.setSession(msg.replyTarget, "working", { askerUserId: msg.author.userId, ...(title ? { title } : {}) });
  return true;
}

/** A session title from the question: one line, at most 200 characters (Slack's limit). */
function sessionTitle(text: string): string | undefined {
  const line = text.replace(/\s+/g, " ").trim();
  if (line === "") return undefined;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/**
 * A job that ran before (it stalled with its worker, or failed and is retried) and has no placeholder on record
 * may have posted one the moment before it died: the platform has it, the job does not. Where the platform can
 * list the messages that carry a turn's key (Slack metadata), the first run's placeholder is adopted. Where the
 * post itself is idempotent (Discord's nonce), posting again with the same key returns it. A lookup that fails
 * fails the job (BullMQ retries it later): posting without knowing could double the reply.
 */
async function adoptPosted(job: Job<ReplyJobData>, route: PlatformRoute): Promise<MessageRef | undefined> {
  const ranBefore = job.attemptsMade > 0 || (job.stalledCounter ?? 0) > 0;
  const find = route.platform.findPostedMessages?.bind(route.platform);
  if (!ranBefore || !find) return undefined;
  const posted = await find(job.data.message.replyTarget, job.id as string);
  const placeholder = posted.find((p) => p.key.part === 0);
  if (placeholder) route.logger.info({ messageId: placeholder.ref.messageId }, "adopted the placeholder an earlier run posted");
  return placeholder?.ref;
}
