import type { ServerResponse } from "node:http";
import type { ChatTurn, StreamEndReason } from "./chat-turn.js";
import { replies, sendJson, sendReply } from "./replies.js";

/** What a blocking turn ended with. */
export interface BlockingResult {
  readonly errorEvent: Record<string, unknown> | undefined;
  readonly sawMessageEnd: boolean;
  readonly isStopRequested: boolean;
  readonly endMetadata: unknown;
  readonly turn: ChatTurn;
  readonly answer: string;
}

/** Blocking mode (section 4): the whole answer as JSON, or the worker's failure as an HTTP error. */
export function answerBlocking(res: ServerResponse, r: BlockingResult): StreamEndReason {
  const e = r.errorEvent;
  if (e) {
    sendReply(res, replies.json(Number(e.status ?? 400), String(e.code ?? "completion_request_error"), String(e.message ?? "")));
    return "error-event";
  }
  if (!r.sawMessageEnd && !r.isStopRequested) {
    sendReply(res, replies.json(500, "internal_server_error", "queue listening stopped unexpectedly."));
    return "eof";
  }
  const t = r.turn;
  sendJson(res, 200, {
    event: "message",
    task_id: t.taskId,
    id: t.messageId,
    message_id: t.messageId,
    conversation_id: t.conversationId,
    mode: t.mode,
    answer: r.answer.trim(),
    metadata: r.endMetadata ?? { annotation_reply: null, retriever_resources: [], usage: {} },
    created_at: t.createdAt,
  });
  return r.isStopRequested ? "stopped" : "completed";
}
