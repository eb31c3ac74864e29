import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChatTurn } from "./chat-turn.js";
import type { FakeDifyOptions } from "./options.js";
import type { RecordedAudio, RecordedFeedback, RecordedRequest, RecordedStop } from "./records.js";
import type { HttpErrorReply } from "./steps.js";
import type { FakeDifyStore, FakeMessage } from "./store.js";
import type { StreamRun } from "./stream-run.js";
import type { WorkflowRunRegistry } from "./workflow-runs.js";

/** One GET /workflow/{run_id}/events that found its run. */
export interface RecordedEventsRequest {
  readonly runId: string;
  readonly user: string;
  readonly query: Readonly<Record<string, string>>;
  readonly request: RecordedRequest;
}

/** One request with its body already read. */
export interface IncomingCall {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Buffer;
  readonly record: RecordedRequest;
}

/** A speech-to-text request that passed Dify's checks. */
export interface AudioTurn {
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Uint8Array;
  readonly user: string;
}

/** Decides what POST /audio-to-text answers: the transcript, or an HTTP error. */
export type AudioHandler = (audio: AudioTurn) => string | HttpErrorReply | Promise<string | HttpErrorReply>;

/** What the route handlers need from the server; kept narrow so routes stay plain functions. */
export interface FakeDifyContext {
  readonly settings: FakeDifyOptions;
  readonly store: FakeDifyStore;
  readonly workflowRuns: WorkflowRunRegistry;
  /** Active chat requests (streaming and blocking), for the app concurrency limit. */
  readonly activeRequestCount: number;
  findRunningTask(taskId: string): StreamRun | undefined;
  /** Creates the stream, asks the chat handler for its script and plays it; resolves when the turn is over. */
  runTurn(turn: Omit<ChatTurn, "signal">, message: FakeMessage, conversationWasNew: boolean, res: ServerResponse): Promise<void>;
  transcribe(audio: AudioTurn): Promise<string | HttpErrorReply>;
  suggestionsFor(message: FakeMessage): readonly string[];
  recordStop(stop: RecordedStop): void;
  recordAudio(audio: RecordedAudio): void;
  recordFeedback(feedback: RecordedFeedback): void;
  recordEventsRequest(request: RecordedEventsRequest): void;
}
