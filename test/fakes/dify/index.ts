/** The fake Dify Service API for integration tests and benchmarks. See fake-dify-server.ts for a tour. */
export type { ChatHandler, ChatScript, ChatTurn, FakeStream, StreamEndReason } from "./chat-turn.js";
export type { AudioHandler, AudioTurn, RecordedEventsRequest } from "./context.js";
export { completionAppParameters, defaultAppParameters, legacyAppParameters, workflowAppParameters } from "./default-parameters.js";
export { FakeDifyServer, type FakeDifyStartOptions } from "./fake-dify-server.js";
export { createGate, type Gate } from "./gate.js";
export {
  type AppAccess,
  type AppMode,
  DEFAULT_WIRE,
  defaultFakeDifyOptions,
  dify2026Options,
  FAKE_DIFY_API_KEY,
  type FakeDifyOptions,
  type Framing,
  type WireOptions,
} from "./options.js";
export { pythonJson } from "./python-json.js";
export type { ChatRequestBody, RecordedAudio, RecordedChatRequest, RecordedFeedback, RecordedFilePart, RecordedRequest, RecordedStop } from "./records.js";
export { FAKE_APP_ID, replies } from "./replies.js";
export { type AgentOptions, type AnswerOptions, type ChatflowOptions, chunkText, scripts } from "./scripts.js";
export { type AgentThoughtSpec, type ChatStep, type DifyEventPayload, type HttpErrorReply, retrieverResource, steps, usage } from "./steps.js";
export type { FakeConversation, FakeMessage, FakeMessageFile, FakeUpload } from "./store.js";
export { transcriptSteps } from "./transcript-steps.js";
export { encodeEvent, encodePing, fragment, seededRandom, splitInsideCharacters } from "./wire-format.js";
export { FakeForm, type FakeWorkflowRun, type FormOutcome, type FormSubmission, type HumanInputFieldSpec, type HumanInputSpec } from "./workflow-runs.js";
