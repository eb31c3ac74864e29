import { defaultAppParameters } from "./default-parameters.js";

/**
 * Settings of the fake Dify server. Every behaviour that differs between Dify versions or deployments
 * (section 18 of docs/dify-service-api.md) is a switch here; the defaults are what Dify 1.12.1 does.
 */

/** App modes. The chat family (`chat`, `agent-chat`, `advanced-chat`, New Agent `agent`) answers /chat-messages. */
export type AppMode = "chat" | "agent-chat" | "advanced-chat" | "agent" | "workflow" | "completion";

/**
 * How the bytes of the event stream are cut into writes. Each write is separated from the next by an event
 * loop turn, so on loopback the client usually receives it as its own chunk (best effort: a busy client can
 * still coalesce reads; the parser unit tests cover exact splits).
 * - `"event"`: one write per event, as Dify flushes.
 * - `{ batch: n }`: n events per write (several events in one TCP chunk, dify #17474).
 * - `"byte"`: every byte in its own write.
 * - `{ randomSeed, maxChunkBytes }`: split at pseudo-random points, reproducible from the seed.
 * - `"utf8-split"`: cut inside every multi-byte UTF-8 character (after its first byte).
 */
export type Framing = "event" | "byte" | "utf8-split" | { readonly batch: number } | { readonly randomSeed: number; readonly maxChunkBytes?: number };

export interface WireOptions {
  /** @defaultValue "event" */
  readonly framing: Framing;
  /** Dify sends LF; proxies and hand-written fakes may send CRLF. @defaultValue "lf" */
  readonly lineEnding: "lf" | "crlf";
  /** Dify always writes `data: `; some intermediaries drop the space. @defaultValue "data: " */
  readonly dataPrefix: "data: " | "data:";
  /**
   * `compact`: orjson, raw UTF-8 (Dify >= 1.9). `python`: `json.dumps` with spaces and `\uXXXX` escapes (older).
   * @defaultValue "compact"
   */
  readonly jsonStyle: "compact" | "python";
}

export const DEFAULT_WIRE: WireOptions = Object.freeze({
  framing: "event",
  lineEnding: "lf",
  dataPrefix: "data: ",
  jsonStyle: "compact",
});

interface FakeDifySite {
  readonly title: string;
  readonly description: string;
  readonly icon_type: "emoji" | "image" | "link" | null;
  readonly icon: string | null;
  readonly icon_background: string | null;
  readonly icon_url: string | null;
}

/** Why the app refuses every authenticated call with 403 (section 2.1). */
export type AppAccess = "normal" | "deleted" | "abnormal" | "api-disabled" | "archived";

export interface FakeDifyOptions {
  /** The one valid app key. @defaultValue FAKE_DIFY_API_KEY */
  readonly apiKey: string;
  /** Reflected in /info, the default script and the stop sequence. @defaultValue "chat" */
  readonly mode: AppMode;
  readonly appName: string;
  readonly appDescription: string;
  /**
   * GET /site: the app's WebApp settings (api/controllers/common/fields.py `site_fields`), or null when the app
   * has no site (Dify answers 403). `icon_url` is set for `icon_type: "image"` (a signed file link), null otherwise.
   */
  readonly site: FakeDifySite | null;
  readonly serverVersion: string;
  /** @defaultValue "normal" */
  readonly appAccess: AppAccess;
  /** GET /parameters body; also drives speech-to-text, file-upload and suggested-question checks. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly wire: WireOptions;
  /** Active requests above this many are rejected (section 15). null: unlimited (self-host default). */
  readonly concurrencyLimit: number | null;
  /** 429 `too_many_requests` (docs) or 400 `invalid_param` "Too many requests…" (1.12.1 code path). @defaultValue "too_many_requests" */
  readonly concurrencyErrorStyle: "too_many_requests" | "invalid_param";
  /** Append flask-restx's "You have requested this URI … did you mean …" to 404 messages. @defaultValue false */
  readonly notFoundHelpSuffix: boolean;
  /** Speech-to-text switched off: 1.12.1 `invalid_param` or newer `speech_to_text_disabled`. @defaultValue "invalid_param" */
  readonly sttDisabledStyle: "invalid_param" | "speech_to_text_disabled";
  /** Send `tts_message` + `tts_message_end` after the terminal events (TTS auto-play on). @defaultValue false */
  readonly ttsTrailers: boolean;
  /** Dify >= 1.11.2 bug: in chat mode, text deltas become `message_file` when the turn has files attached. @defaultValue false */
  readonly messageFileTextBug: boolean;
  /** Chatflow success order for the default script: 1.12.1 `workflow-first`, newer `message-end-first`. */
  readonly chatflowTerminalOrder: "workflow-first" | "message-end-first";
  /** Validation errors as pydantic text (>= 1.11) or the older reqparse shape with `params`. @defaultValue "pydantic" */
  readonly validationErrorStyle: "pydantic" | "reqparse";
  /** DELETE of a foreign or unknown conversation: 1.12.1 answers 204 (false); newer 404 (true). @defaultValue false */
  readonly deleteChecksOwnership: boolean;
  /** Keep-alive pings every this many ms from the request start, as Dify does (~10 s). 0 disables. @defaultValue 10_000 */
  readonly pingIntervalMs: number;
  /** Delay between a stop request and the stream noticing it (real Dify: up to ~1 s). @defaultValue 0 */
  readonly stopLatencyMs: number;
  /** Larger request bodies get nginx's HTML 413 (NGINX_CLIENT_MAX_BODY_SIZE, 100M). */
  readonly maxBodyBytes: number;
  /** Keep every request with its body. Benchmarks with huge volumes may switch it off. @defaultValue true */
  readonly recordRequests: boolean;
  /**
   * How a failed Chatflow ends (`scripts.chatflowFailed`): `finished-then-error` (1.12.1: `workflow_finished`
   * failed, then an in-band `error`) or `replace-end-finished` (newest: `message_replace` with reason
   * `workflow_resumption_terminal`, `message_end`, `workflow_finished` failed, no `error`).
   * @defaultValue "finished-then-error"
   */
  readonly chatflowFailureOrder: "finished-then-error" | "replace-end-finished";
  /** `message_end.files`: as the script gives it (1.12.1), or every file of the message re-signed (2026). @defaultValue "assistant" */
  readonly messageEndFiles: "assistant" | "all";
  /**
   * The 2026 workflow-run endpoints: `GET /workflow/{run_id}/events`, `GET|POST /form/human_input/{token}`, and
   * Chatflow runs that go on after their client disconnects. Off: those routes do not exist (Flask 404).
   * @defaultValue false
   */
  readonly workflowEvents: boolean;
  /** Delay between a form submission and the run resuming (a Celery task in Dify). @defaultValue 20 */
  readonly humanInputResumeDelayMs: number;
  /** 413 `file_too_large` message: 1.12.1's unformatted template, or empty (2026). @defaultValue "template" */
  readonly fileTooLargeMessage: "template" | "empty";
  /** UPLOAD_FILE_EXTENSION_BLACKLIST: these extensions get 400 `invalid_param`. @defaultValue [] */
  readonly blockedExtensions: readonly string[];
  /** Uploads whose type the app's file_upload settings do not allow get 415 (2026). @defaultValue false */
  readonly uploadChecksAppFileTypes: boolean;
}

export const FAKE_DIFY_API_KEY = "app-fakeDifyTestKey0001";

/** Dify 1.12.1 behaviour for every switch; one place, so the TSDoc defaults above cannot drift. */
export function defaultFakeDifyOptions(): FakeDifyOptions {
  return {
    apiKey: FAKE_DIFY_API_KEY,
    mode: "chat",
    appName: "Team Assistant",
    appDescription: "Answers questions about the team handbook.",
    site: {
      title: "Team Assistant",
      description: "Answers questions about the team handbook.",
      icon_type: "emoji",
      icon: "🤖",
      icon_background: "#FFEAD5",
      icon_url: null,
    },
    serverVersion: "1.12.1",
    appAccess: "normal",
    parameters: defaultAppParameters(),
    concurrencyLimit: null,
    concurrencyErrorStyle: "too_many_requests",
    notFoundHelpSuffix: false,
    sttDisabledStyle: "invalid_param",
    ttsTrailers: false,
    messageFileTextBug: false,
    chatflowTerminalOrder: "workflow-first",
    validationErrorStyle: "pydantic",
    deleteChecksOwnership: false,
    pingIntervalMs: 10_000,
    stopLatencyMs: 0,
    maxBodyBytes: 100 * 1024 * 1024,
    recordRequests: true,
    chatflowFailureOrder: "finished-then-error",
    messageEndFiles: "assistant",
    workflowEvents: false,
    humanInputResumeDelayMs: 20,
    fileTooLargeMessage: "template",
    blockedExtensions: [],
    uploadChecksAppFileTypes: false,
    wire: DEFAULT_WIRE,
  };
}

/**
 * The switches as a 2026 server (1.13 to 1.16) behaves, per docs/dify-2026.md: pass to `FakeDifyServer.start`
 * (`{ ...dify2026Options(), mode: "advanced-chat" }`).
 */
export function dify2026Options(): Partial<FakeDifyOptions> {
  return {
    serverVersion: "1.16.0",
    chatflowTerminalOrder: "message-end-first",
    chatflowFailureOrder: "replace-end-finished",
    messageEndFiles: "all",
    workflowEvents: true,
    fileTooLargeMessage: "empty",
    sttDisabledStyle: "speech_to_text_disabled",
    deleteChecksOwnership: true,
    blockedExtensions: ["exe", "bat", "sh"],
    uploadChecksAppFileTypes: true,
  };
}
