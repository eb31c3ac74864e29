import type { InboundMessage, MessageContent, MessageRef } from "../contracts/messages.js";
import type { StoredFileRef } from "../state/turn-store.js";

/**
 * Job payloads: JSON only, never a token or file bytes (attachments travel as references and are downloaded
 * by the worker). The worker adds what it learns as it goes (placeholder, Dify ids) with `job.updateData`, so
 * a retried or recovered job edits the same message and never asks Dify twice.
 */
export interface ReplyJobData {
  readonly kind: "reply";
  /** Shape version (job-version.ts); absent in jobs written before versions existed. */
  readonly v?: number;
  readonly message: InboundMessage;
  /** The Dify app that answers (routes file id; "default" is the DIFY_* app), fixed when the job is queued. */
  readonly app?: string;
  /** Shown above the answer, e.g. "**Ana** asked: …" for a suggested-question click. */
  readonly preamble?: string;
  /** Files already in Dify (a retried question). */
  readonly files?: readonly StoredFileRef[];
  /** What stands for the answer until its text shows: a posted message, or (`ref` null) the thread's status line. */
  readonly placeholder?: {
    readonly ref: MessageRef | null;
    readonly content: MessageContent;
    /** `ref` is a message an earlier run streamed into and died before recording: the answer goes on in it by edits. */
    readonly adoptedStream?: true;
  };
  /** `workflowRunId`: a Chatflow's run, saved as soon as it is known, so a recovered job re-attaches to it. */
  readonly dify?: {
    readonly taskId?: string;
    readonly messageId?: string;
    readonly conversationId?: string;
    readonly workflowRunId?: string;
    /**
     * When the question was first sent (epoch ms), saved before sending: a run that finds it without a `taskId`
     * follows one that died before Dify's first event, and looks for the question in Dify before asking.
     */
    readonly askedAt?: number;
  };
  /**
   * This job answers a Human Input form (a click on one of its buttons, or its dialog's submission) and goes on
   * with the paused run in the same reply. `formKey` names the pending form in Redis.
   */
  readonly resume?: { readonly formKey: string; readonly actionIndex: number; readonly values: Readonly<Record<string, string>> };
  /** Every message the reply has used so far (a native stream, continuation parts), for a recovered job to tidy up. */
  readonly parts?: readonly MessageRef[];
}

export interface FeedbackJobData {
  readonly kind: "feedback";
  /** Shape version (job-version.ts). */
  readonly v?: number;
  readonly difyMessageId: string;
  readonly difyUser: string;
  /** The app that owns the message; absent = the default app. */
  readonly app?: string;
}

export type BridgeJobData = ReplyJobData | FeedbackJobData;

/** BullMQ job ids may not contain ":"; ids built from platform keys go through this. */
export function jobIdFrom(key: string): string {
  return key.replace(/:/g, "_");
}
