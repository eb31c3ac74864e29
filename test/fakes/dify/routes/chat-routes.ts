import { randomUUID } from "node:crypto";
import type { FakeDifyContext, IncomingCall } from "../context.js";
import { replies, sendJson, sendReply } from "../replies.js";
import { checkChatPayload, checkInputs, resolveChatFiles } from "./chat-input-checks.js";
import { isChatMode, NOT_CHAT_APP, notFound, readJsonObject, userArg } from "./request-checks.js";

/** POST /v1/chat-messages, checks in the order of section 3.2, then the turn's script. */
export async function postChatMessage(ctx: FakeDifyContext, call: IncomingCall): Promise<void> {
  const send = (reply: Parameters<typeof sendReply>[1]) => sendReply(call.res, reply);
  const json = readJsonObject(call);
  if (!json.ok) return send(json.reply);
  const body = json.value;
  const user = userArg(body.user);
  if (!user.ok) return send(user.reply);
  const mode = ctx.settings.mode;
  if (!isChatMode(mode)) return send(NOT_CHAT_APP());
  const payload = checkChatPayload(ctx, body);
  if (!payload.ok) return send(payload.reply);

  const limit = ctx.settings.concurrencyLimit;
  if (limit !== null && ctx.activeRequestCount >= limit) return send(replies.tooManyRequests(ctx.settings.concurrencyErrorStyle, limit));

  const responseMode = body.response_mode === "streaming" ? "streaming" : "blocking";
  if (responseMode === "blocking" && mode === "agent-chat") return send(replies.json(400, "invalid_param", "Agent Chat App does not support blocking mode"));
  if (responseMode === "blocking" && mode === "agent") return send(replies.json(400, "bad_request", "Agent App only supports streaming response mode."));
  const query = (body.query as string).replace(/\0/g, "");
  if (query === "") return send(replies.json(400, "invalid_param", "query is required"));

  const requestedId = typeof body.conversation_id === "string" ? body.conversation_id.trim() : "";
  const existing = requestedId ? ctx.store.findConversation(requestedId, user.value) : undefined;
  if (requestedId && !existing) return send(notFound(ctx, call, "Conversation Not Exists."));
  // services/conversation_service.py: a conversation whose status is not "normal" cannot take more messages
  // (controllers/service_api/app/error.py ConversationCompletedError).
  if (existing && existing.status !== "normal")
    return send(replies.json(400, "conversation_completed", "The conversation has ended. Please start a new conversation."));

  const inputs = checkInputs(ctx.settings.parameters, body.inputs as Record<string, unknown>);
  if (!inputs.ok) return send(inputs.reply);
  const files = resolveChatFiles(ctx, body.files);
  if (!files.ok) return send(files.reply);

  const conversation = existing ?? ctx.store.createConversation(user.value, query, inputs.value);
  const history = conversation.messageIds.map((id) => ctx.store.messages.get(id)).filter((m) => m !== undefined);
  const taskId = randomUUID();
  const message = ctx.store.createMessage(conversation, { taskId, query, inputs: inputs.value, files: files.value });
  await ctx.runTurn(
    {
      body,
      query,
      user: user.value,
      inputs: inputs.value,
      files: files.value,
      conversationId: conversation.id,
      isNewConversation: !existing,
      messageId: message.id,
      taskId,
      workflowRunId: randomUUID(),
      createdAt: message.createdAt,
      endUserId: ctx.store.endUserId(user.value),
      mode,
      responseMode,
      history,
      headers: call.req.headers,
    },
    message,
    !existing,
    call.res,
  );
}

/** POST /v1/chat-messages/:task_id/stop: always 200; stops only the task's own user (Chatflow: anyone, 1.12.1). */
export function postStop(ctx: FakeDifyContext, call: IncomingCall, taskId: string): void {
  const json = readJsonObject(call);
  if (!json.ok) return sendReply(call.res, json.reply);
  const user = userArg(json.value.user);
  if (!user.ok) return sendReply(call.res, user.reply);
  if (!isChatMode(ctx.settings.mode)) return sendReply(call.res, NOT_CHAT_APP());
  const run = ctx.findRunningTask(taskId);
  const isOwner = run !== undefined && (run.user === user.value || ctx.settings.mode === "advanced-chat");
  if (run && isOwner) run.requestStop();
  ctx.recordStop({ taskId, user: json.value.user, stoppedStream: Boolean(run && isOwner), request: call.record });
  sendJson(call.res, 200, { result: "success" });
}
