import type { FakeDifyContext, IncomingCall } from "../context.js";
import { replies, sendJson, sendReply } from "../replies.js";
import type { FakeMessage } from "../store.js";
import { featureEnabled, invalid, isChatMode, NOT_CHAT_APP, notFound, readJsonObject, userArg } from "./request-checks.js";

/** POST /v1/messages/:id/feedbacks (section 12): one rating per message, only by the message's own user. */
export function postFeedback(ctx: FakeDifyContext, call: IncomingCall, messageId: string): void {
  const json = readJsonObject(call);
  if (!json.ok) return sendReply(call.res, json.reply);
  const body = json.value;
  const answer = (status: number, reply?: Parameters<typeof sendReply>[1]) => {
    ctx.recordFeedback({ messageId, rating: body.rating, user: body.user, content: body.content, status, request: call.record });
    if (reply) sendReply(call.res, reply);
    else sendJson(call.res, 200, { result: "success" });
  };
  const user = userArg(body.user);
  if (!user.ok) return answer(400, user.reply);
  const rating = body.rating;
  if (rating !== undefined && rating !== null && rating !== "like" && rating !== "dislike") {
    return answer(
      400,
      invalid(ctx, "MessageFeedbackPayload", { field: "rating", type: "literal_error", msg: "Input should be 'like' or 'dislike'", input: rating }, body).reply,
    );
  }
  const message = ctx.store.findMessage(messageId, user.value);
  if (!message) return answer(404, notFound(ctx, call, "Message Not Exists."));
  if (rating === undefined || rating === null) {
    if (!message.feedback) return answer(400, replies.json(400, "invalid_param", "rating cannot be None when feedback not exists"));
    message.feedback = null;
  } else {
    // Updating replaces the content too: an omitted content clears it.
    message.feedback = { rating, content: typeof body.content === "string" ? body.content : null };
  }
  answer(200);
}

/** GET /v1/messages?conversation_id&user&first_id&limit: the newest page, oldest first (section 13). */
export function getMessages(ctx: FakeDifyContext, call: IncomingCall): void {
  const q = call.query;
  const user = userArg(q.get("user"));
  if (!user.ok) return sendReply(call.res, user.reply);
  if (!q.has("conversation_id")) {
    return sendReply(
      call.res,
      invalid(ctx, "MessageListQuery", { field: "conversation_id", type: "missing", msg: "Field required" }, Object.fromEntries(q)).reply,
    );
  }
  const limit = Number(q.get("limit") ?? "20");
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return sendReply(
      call.res,
      invalid(ctx, "MessageListQuery", { field: "limit", type: "less_than_equal", msg: "Input should be less than or equal to 100", input: q.get("limit") }, {})
        .reply,
    );
  }
  const conversationId = q.get("conversation_id") ?? "";
  if (conversationId === "") return sendJson(call.res, 200, { limit, has_more: false, data: [] });
  const conversation = ctx.store.findConversation(conversationId, user.value);
  if (!conversation) return sendReply(call.res, notFound(ctx, call, "Conversation Not Exists."));
  const page = ctx.store.pageOfMessages(conversation, q.get("first_id") ?? undefined, limit);
  if (!page) return sendReply(call.res, notFound(ctx, call, "First Message Not Exists."));
  sendJson(call.res, 200, { limit, has_more: page.hasMore, data: page.data.map(messageListItem) });
}

/** GET /v1/messages/:id/suggested?user= */
export function getSuggested(ctx: FakeDifyContext, call: IncomingCall, messageId: string): void {
  const user = userArg(call.query.get("user"));
  if (!user.ok) return sendReply(call.res, user.reply);
  if (!isChatMode(ctx.settings.mode)) return sendReply(call.res, NOT_CHAT_APP());
  const message = ctx.store.findMessage(messageId, user.value);
  if (!message) return sendReply(call.res, notFound(ctx, call, "Message Not Exists."));
  if (!featureEnabled(ctx.settings.parameters, "suggested_questions_after_answer")) {
    return sendReply(call.res, replies.json(400, "bad_request", "Suggested Questions Is Disabled."));
  }
  sendJson(call.res, 200, { result: "success", data: ctx.suggestionsFor(message) });
}

/** A `MessageListItem` as 1.12.1 returns it. */
function messageListItem(m: FakeMessage): Record<string, unknown> {
  return {
    id: m.id,
    conversation_id: m.conversationId,
    parent_message_id: null,
    inputs: m.inputs,
    query: m.query,
    answer: m.answer,
    feedback: m.feedback ? { rating: m.feedback.rating } : null,
    retriever_resources: m.retrieverResources,
    created_at: m.createdAt,
    agent_thoughts: m.agentThoughts.map((t) => ({
      id: t.id,
      chain_id: null,
      message_id: m.id,
      position: t.position,
      thought: t.thought,
      tool: t.tool,
      tool_labels: t.tool_labels,
      tool_input: t.tool_input,
      created_at: m.createdAt,
      observation: t.observation,
      files: t.message_files ?? [],
    })),
    message_files: m.files.map((f) => ({
      id: f.id,
      filename: f.filename,
      type: f.type,
      url: f.url,
      mime_type: f.mimeType,
      size: f.size,
      transfer_method: f.transferMethod,
      belongs_to: f.belongsTo,
      upload_file_id: f.uploadFileId,
    })),
    status: m.status,
    error: m.error,
  };
}
