import { setTimeout as sleep } from "node:timers/promises";
import type { MessageRef } from "../contracts/messages.js";
import type { DifyClient } from "../dify/dify-client.js";
import { INTERRUPTED_TEXT } from "../reply/user-text.js";
import type { TurnContext } from "./turn-context.js";

/** How long a recovered job waits for Dify to have stored the interrupted answer (it saves it when the task ends). */
const STORED_ANSWER_POLLS = 5;
const STORED_ANSWER_POLL_MS = 1_000;

/**
 * The text a recovered job shows for an answer its first worker could not finish: the old Dify task is stopped
 * (never asked again: Dify already has the question), and what Dify stored for that message is shown, marked as
 * possibly incomplete, or a plain "interrupted" line when nothing was stored. Messages the first run had added
 * (a native stream left open, continuation parts) are removed first: the answer is shown again, whole, from the
 * placeholder on.
 */
export async function recoveredAnswerText(ctx: TurnContext, deps: { dify: DifyClient; user: string }): Promise<string> {
  const ids = ctx.data.dify ?? {};
  const log = ctx.logger;
  log.warn({ taskId: ids.taskId, difyMessageId: ids.messageId }, "recovering an interrupted answer");
  if (ids.taskId) await deps.dify.stopTask(ids.taskId, deps.user).catch((err: unknown) => log.warn({ err }, "Dify stop failed"));
  let stored: { answer: string; status: string } | undefined;
  for (let i = 0; i < STORED_ANSWER_POLLS && ids.conversationId && ids.messageId; i++) {
    const messages = await deps.dify.getMessages(ids.conversationId, deps.user, { limit: 20 }).catch(() => []);
    const found = messages.find((m) => m.id === ids.messageId);
    if (found && (found.answer.trim() !== "" || found.status === "error")) {
      stored = found;
      break;
    }
    await sleep(STORED_ANSWER_POLL_MS);
  }
  await removeExtraParts(ctx);
  return stored?.answer.trim() ? `${stored.answer.trim()}\n\n⚠️ Recovered after an interruption: this answer may be incomplete.` : INTERRUPTED_TEXT;
}

/**
 * Removes the messages an earlier run added to the reply past its first one: the answer is shown again, whole,
 * from the first message on.
 */
export async function removeExtraParts(ctx: TurnContext): Promise<void> {
  const remove = ctx.platform.deleteMessage?.bind(ctx.platform);
  if (!remove) return;
  for (const part of await partsToRemove(ctx)) {
    await ctx.route
      .mustLand("delete", () => remove(part))
      .catch((err: unknown) => ctx.logger.warn({ err }, "could not remove a message of the interrupted answer"));
  }
}

/**
 * The first run's messages other than the placeholder: the ones it recorded, and (where the platform can list a
 * turn's keyed messages) the continuations it posted but died before recording.
 */
async function partsToRemove(ctx: TurnContext): Promise<MessageRef[]> {
  const parts = new Map((ctx.data.parts ?? []).map((p) => [p.messageId, p]));
  const find = ctx.platform.findPostedMessages?.bind(ctx.platform);
  if (find) {
    const posted = await find(ctx.data.message.replyTarget, ctx.turnId).catch((err: unknown) => {
      ctx.logger.warn({ err }, "could not look for unrecorded messages of the interrupted answer");
      return [];
    });
    for (const p of posted) if (p.key.part > 0) parts.set(p.ref.messageId, p.ref);
  }
  if (ctx.placeholder.ref) parts.delete(ctx.placeholder.ref.messageId);
  return [...parts.values()];
}
