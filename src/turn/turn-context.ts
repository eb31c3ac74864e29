import type { ChatPlatform } from "../contracts/chat-platform.js";
import type { Logger } from "../contracts/logger.js";
import type { MessageContent, MessageRef } from "../contracts/messages.js";
import type { PlatformRoute } from "../gateway/platform-route.js";
import type { AnswerTracker } from "../observability/answer-activity.js";
import type { ReplyJobData } from "../queue/job-types.js";
import type { DifyApp } from "../routing/app-directory.js";

/** One answer, from the worker's point of view: the placeholder exists and the thread is ours. */
export interface TurnContext {
  readonly turnId: string;
  readonly data: ReplyJobData;
  /** The Dify app answering this turn; held for the whole turn, whatever a reload changes meanwhile. */
  readonly app: DifyApp;
  readonly platform: ChatPlatform;
  /** Every call to the reply's place goes through here (budgets, 429s, metrics). */
  readonly route: PlatformRoute;
  /** `ref` null: nothing was posted yet, the thread's status line shows the answer is coming. */
  readonly placeholder: { readonly ref: MessageRef | null; readonly content: MessageContent; readonly adoptedStream?: true };
  /** Aborted when the process shuts down past its grace period. */
  readonly signal: AbortSignal;
  /** Persists the Dify ids with the job, so a recovered job never asks Dify again. */
  saveDify(ids: NonNullable<ReplyJobData["dify"]>): Promise<void>;
  /** Persists the messages the reply uses, as they appear. */
  saveParts(parts: readonly MessageRef[]): Promise<void>;
  readonly logger: Logger;
  /** The operator console's record of this answer while it streams. */
  readonly tracker?: AnswerTracker;
}

/** The Dify `user` for a thread: stable, so every participant's turns, reactions and stops address one end user. */
export function difyUserFor(conversationKey: string): string {
  return conversationKey.slice(0, 255);
}
