import type { Logger } from "../contracts/logger.js";
import { type AppKind, appKindOf, stopPath } from "./app-kind.js";
import { type AppParameters, parseAppParameters } from "./app-parameters.js";
import { difyAudioType, withExtension } from "./audio-types.js";
import { type ChatRequest, consumeChat, type EventResult, streamChat } from "./chat-stream.js";
import { DifyConnectionError, DifyPayloadTooLargeError, DifyUnsupportedMediaError } from "./errors.js";
import type { DifyEvent } from "./events.js";
import { DifyHttp } from "./http.js";
import { consumeRunEvents, type FormAnswer, type RunEventsOptions, submitHumanInputForm } from "./workflow-runs.js";

export interface DifyClientOptions {
  /** Service API base including `/v1`. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly logger: Logger;
  /** Whole-request timeout for non-streaming calls. @defaultValue 30_000 */
  readonly timeoutMs?: number;
  /** Longest silence inside a stream. Dify pings every ~10 s. @defaultValue 45_000 */
  readonly idleTimeoutMs?: number;
  /** Largest single SSE event held in memory. @defaultValue 8 MiB */
  readonly maxEventChars?: number;
  readonly fetch?: typeof fetch;
  /**
   * How files the app produced are fetched: only from Dify's own origins, under the bridge's download rules
   * (src/app/produced-files.ts). Without one, produced files are refused rather than fetched unchecked.
   */
  readonly fetchFile?: ProducedFileFetch;
}

/** Fetches one produced file; `signal` aborts it, `maxBytes` caps it. */
export type ProducedFileFetch = (
  url: string,
  limits: { readonly signal: AbortSignal; readonly maxBytes: number },
) => Promise<{ readonly data: Uint8Array; readonly contentType: string | undefined }>;

export interface FileInput {
  readonly data: Uint8Array;
  readonly name: string;
  readonly mimeType: string;
}

export interface UploadedFile {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly extension: string;
  readonly mimeType: string;
}

export type Rating = "like" | "dislike" | null;

export interface AppInfo {
  readonly name: string;
  readonly mode: string;
  readonly description?: string;
}

/** The app's WebApp settings (GET /site): its title, description and icon. */
export interface AppSite {
  readonly title: string;
  readonly description: string;
  readonly iconType: string;
  /** An emoji for `iconType` "emoji"; a file id or URL otherwise. */
  readonly icon: string;
  /** A signed image URL for `iconType` "image" (Dify's `icon_url`). */
  readonly iconUrl?: string;
}

export interface StoredMessage {
  readonly id: string;
  readonly conversationId: string;
  readonly query: string;
  readonly answer: string;
  readonly status: string;
  readonly error: string | null;
  /** Unix seconds, Dify's clock. */
  readonly createdAt: number;
}

export interface StoredConversation {
  readonly id: string;
  /** Unix seconds, Dify's clock. */
  readonly createdAt: number;
}

export interface DownloadedFile {
  readonly data: Uint8Array;
  readonly mimeType: string;
  readonly name: string;
}

/** Characters Dify refuses in upload file names. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are among what a file name must not carry.
const BAD_FILENAME_CHARS = /[/\\:*?"<>|\u0000-\u001f]/g;

function safeFileName(name: string): string {
  const cleaned = name.replace(BAD_FILENAME_CHARS, "_").trim() || "file";
  return cleaned.length > 200 ? cleaned.slice(cleaned.length - 200) : cleaned;
}

/** The Dify Service API, as the bridge uses it. All methods throw typed `DifyError`s. */
export class DifyClient {
  private readonly http: DifyHttp;
  private readonly idleTimeoutMs: number;
  /** The app's type from GET /info, asked once (a key always belongs to the same app); forgotten on failure. */
  private kind: Promise<AppKind> | undefined;

  constructor(private readonly options: DifyClientOptions) {
    this.http = new DifyHttp({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 30_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  }

  /** Origin of the Dify deployment; relative file URLs (`/files/...`) resolve against it, not against `/v1`. */
  get origin(): string {
    return new URL(this.http.baseUrl).origin;
  }

  streamChat(req: ChatRequest, opts: { signal?: AbortSignal | undefined; logger?: Logger; onAccepted?: () => void } = {}): AsyncGenerator<DifyEvent> {
    return streamChat(this.http, req, {
      signal: opts.signal,
      ...(opts.onAccepted ? { onAccepted: opts.onAccepted } : {}),
      idleTimeoutMs: this.idleTimeoutMs,
      maxEventChars: this.options.maxEventChars,
      logger: opts.logger ?? this.options.logger,
    });
  }

  /**
   * The same stream pushed to `onEvent` as events arrive (no promise per event), stopping after `message_end`.
   * For hot paths; `onEvent` may return a promise to pause reading until it settles.
   */
  consumeChat(
    req: ChatRequest,
    onEvent: (event: DifyEvent) => EventResult,
    opts: { signal?: AbortSignal | undefined; logger?: Logger; onAccepted?: () => void } = {},
  ): Promise<void> {
    return consumeChat(
      this.http,
      req,
      {
        signal: opts.signal,
        idleTimeoutMs: this.idleTimeoutMs,
        maxEventChars: this.options.maxEventChars,
        logger: opts.logger ?? this.options.logger,
        stopAtEnd: true,
        ...(opts.onAccepted ? { onAccepted: opts.onAccepted } : {}),
      },
      onEvent,
    );
  }

  /** A Chatflow run's events from now on (optionally its state first): for resuming after a form, or re-attaching. */
  consumeRunEvents(
    runId: string,
    o: RunEventsOptions,
    onEvent: (event: DifyEvent) => EventResult,
    opts: { signal?: AbortSignal | undefined; logger?: Logger; onAccepted?: () => void; stopAfter?: (event: DifyEvent) => boolean } = {},
  ): Promise<void> {
    return consumeRunEvents(
      this.http,
      runId,
      o,
      {
        signal: opts.signal,
        idleTimeoutMs: this.idleTimeoutMs,
        maxEventChars: this.options.maxEventChars,
        logger: opts.logger ?? this.options.logger,
        ...(opts.onAccepted ? { onAccepted: opts.onAccepted } : {}),
        ...(opts.stopAfter ? { stopAfter: opts.stopAfter } : {}),
      },
      onEvent,
    );
  }

  /** Answers a Human Input form the run is paused on. */
  submitForm(token: string, answer: FormAnswer, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return submitHumanInputForm(this.http, token, answer, opts.signal);
  }

  /**
   * Always answers success, even for unknown or finished tasks; the stream then ends normally (message_end, or
   * a Workflow's workflow_finished "stopped"). Each app type has its own stop endpoint.
   */
  async stopTask(taskId: string, user: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const kind = await this.appKind();
    await this.http.json("POST", stopPath(kind, taskId), { json: { user }, signal: opts.signal });
  }

  /** Chat app, Workflow app or Text Generator app (GET /info `mode`), asked once. */
  appKind(): Promise<AppKind> {
    this.kind ??= this.getInfo().then(
      (info) => appKindOf(info.mode),
      (err: unknown) => {
        this.kind = undefined;
        throw err;
      },
    );
    return this.kind;
  }

  /** like / dislike, or null to revoke (Dify answers 400 when revoking a rating that does not exist). */
  async sendFeedback(messageId: string, feedback: { rating: Rating; user: string; content?: string }): Promise<void> {
    await this.http.json("POST", `/messages/${encodeURIComponent(messageId)}/feedbacks`, {
      json: { rating: feedback.rating, user: feedback.user, ...(feedback.content ? { content: feedback.content } : {}) },
    });
  }

  async uploadFile(file: FileInput, user: string, opts: { signal?: AbortSignal } = {}): Promise<UploadedFile> {
    const form = new FormData();
    form.append("file", new Blob([file.data], { type: file.mimeType || "application/octet-stream" }), safeFileName(file.name));
    form.append("user", user);
    const r = await this.http.json<Record<string, unknown>>("POST", "/files/upload", { form, signal: opts.signal, timeoutMs: 120_000 });
    return {
      id: String(r.id),
      name: String(r.name ?? file.name),
      size: Number(r.size ?? file.data.byteLength),
      extension: String(r.extension ?? ""),
      mimeType: String(r.mime_type ?? file.mimeType),
    };
  }

  /**
   * Speech to text. The part's content type is rewritten to one Dify accepts (audio/mpeg → audio/mp3,
   * MP4/M4A → audio/m4a); formats Dify cannot take at all (Ogg, WebM) must be converted by the caller.
   */
  async audioToText(audio: FileInput, user: string, opts: { signal?: AbortSignal } = {}): Promise<string> {
    const type = difyAudioType(audio.mimeType);
    if (!type) {
      throw new DifyUnsupportedMediaError({ status: 415, difyCode: "unsupported_audio_type", difyMessage: `cannot send ${audio.mimeType} to speech-to-text` });
    }
    if (audio.data.byteLength > 30 * 1024 * 1024) {
      throw new DifyPayloadTooLargeError({ status: 413, difyCode: "audio_too_large", difyMessage: "audio larger than 30 MB" });
    }
    const form = new FormData();
    form.append("file", new Blob([audio.data], { type: type.mimeType }), safeFileName(withExtension(audio.name, type.extension)));
    form.append("user", user);
    const r = await this.http.json<{ text?: unknown }>("POST", "/audio-to-text", { form, signal: opts.signal, timeoutMs: 120_000 });
    return typeof r?.text === "string" ? r.text : "";
  }

  async getSuggestedQuestions(messageId: string, user: string): Promise<string[]> {
    const r = await this.http.json<{ data?: unknown }>("GET", `/messages/${encodeURIComponent(messageId)}/suggested`, { query: { user } });
    return Array.isArray(r?.data) ? r.data.filter((q): q is string => typeof q === "string" && q.trim() !== "") : [];
  }

  async getParameters(): Promise<AppParameters> {
    const raw = await this.http.json("GET", "/parameters");
    try {
      return parseAppParameters(raw);
    } catch (err) {
      // Fix: a ZodError used to escape here, breaking the "only typed DifyErrors" promise of this class.
      throw new DifyConnectionError("unreadable /parameters answer from Dify", { cause: err });
    }
  }

  async getInfo(): Promise<AppInfo> {
    const r = await this.http.json<Record<string, unknown>>("GET", "/info");
    return { name: String(r?.name ?? ""), mode: String(r?.mode ?? ""), description: typeof r?.description === "string" ? r.description : "" };
  }

  /** The WebApp settings. Dify answers 403 when the app has no site (a DifyError, as for any failure). */
  async getSite(): Promise<AppSite> {
    const r = await this.http.json<Record<string, unknown>>("GET", "/site");
    const text = (v: unknown) => (typeof v === "string" ? v : "");
    const iconUrl = text(r?.icon_url);
    return { title: text(r?.title), description: text(r?.description), iconType: text(r?.icon_type), icon: text(r?.icon), ...(iconUrl ? { iconUrl } : {}) };
  }

  /** GET /v1/ needs no key: a reachability check. */
  async getRoot(): Promise<{ serverVersion: string | undefined }> {
    const r = await this.http.json<Record<string, unknown>>("GET", "/");
    return { serverVersion: typeof r?.server_version === "string" ? r.server_version : undefined };
  }

  /** The newest messages of a conversation, oldest first. */
  async getMessages(conversationId: string, user: string, opts: { limit?: number } = {}): Promise<StoredMessage[]> {
    const r = await this.http.json<{ data?: unknown }>("GET", "/messages", {
      query: { conversation_id: conversationId, user, limit: opts.limit ?? 20 },
    });
    const items = Array.isArray(r?.data) ? (r.data as Record<string, unknown>[]) : [];
    return items.map((m) => ({
      id: String(m.id),
      conversationId: String(m.conversation_id ?? conversationId),
      query: String(m.query ?? ""),
      answer: String(m.answer ?? ""),
      status: String(m.status ?? "normal"),
      error: typeof m.error === "string" ? m.error : null,
      createdAt: Number(m.created_at ?? 0),
    }));
  }

  /** This user's conversations, newest created first (only ones created through the Service API are listed). */
  async getConversations(user: string, opts: { limit?: number } = {}): Promise<StoredConversation[]> {
    const r = await this.http.json<{ data?: unknown }>("GET", "/conversations", { query: { user, limit: opts.limit ?? 20, sort_by: "-created_at" } });
    const items = Array.isArray(r?.data) ? (r.data as Record<string, unknown>[]) : [];
    return items.map((c) => ({ id: String(c.id), createdAt: Number(c.created_at ?? 0) }));
  }

  resolveFileUrl(url: string): string {
    return new URL(url, `${this.origin}/`).toString();
  }

  /** Downloads a file Dify produced (signed URLs, valid ~5 min), refusing more than `maxBytes`. */
  async downloadFile(url: string, opts: { signal?: AbortSignal; maxBytes: number }): Promise<DownloadedFile> {
    const resolved = this.resolveFileUrl(url);
    const fetchFile = this.options.fetchFile;
    if (fetchFile === undefined) throw new DifyConnectionError("produced files are not fetched: no file fetcher configured");
    const got = await fetchFile(resolved, { signal: opts.signal ?? new AbortController().signal, maxBytes: opts.maxBytes });
    const name = decodeURIComponent(new URL(resolved).pathname.split("/").pop() || "file");
    const mimeType = (got.contentType ?? "application/octet-stream").split(";")[0]?.trim() || "application/octet-stream";
    return { data: got.data, mimeType, name };
  }
}
