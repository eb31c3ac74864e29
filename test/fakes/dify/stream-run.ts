import type { ServerResponse } from "node:http";
import { answerBlocking } from "./blocking-answer.js";
import type { ChatScript, ChatTurn, FakeStream, StreamEndReason } from "./chat-turn.js";
import { pauseForHumanInput } from "./human-input-pause.js";
import { allMessageFiles } from "./message-end-files.js";
import type { FakeDifyOptions } from "./options.js";
import { timestampMs } from "./records.js";
import { replies, sendReply } from "./replies.js";
import { SseWriter } from "./sse-writer.js";
import { type AnswerEffect, type ChatStep, type DifyEventPayload, type HttpErrorReply, steps } from "./steps.js";
import type { FakeMessage } from "./store.js";
import { answerEffectOf, applyMessageFileBug, fillEvent, recordEffects } from "./turn-events.js";
import { encodeEvent, toBytes } from "./wire-format.js";
import type { FakeForm, FakeWorkflowRun, FormOutcome, HumanInputSpec } from "./workflow-runs.js";

type Settings = Pick<
  FakeDifyOptions,
  "wire" | "ttsTrailers" | "messageFileTextBug" | "pingIntervalMs" | "stopLatencyMs" | "workflowEvents" | "humanInputResumeDelayMs" | "messageEndFiles"
>;

/** The workflow run behind a Chatflow turn, and how to open a Human Input form on it. */
export interface TurnWorkflow {
  readonly run: FakeWorkflowRun;
  addForm(spec: HumanInputSpec): FakeForm;
}

/**
 * Plays one chat turn's script onto a streaming response, keeping the stored message in step with what was
 * sent. Stop and client close interrupt any step (delays and waits included); a stop ends the turn the way
 * Dify does: a normal `message_end` (Chatflow: `workflow_finished` "stopped" first), never an error.
 */
export class StreamRun implements FakeStream {
  readonly startedAt = timestampMs();
  firstAnswerByteAt: number | undefined;
  endedAt: number | undefined;
  endReason: StreamEndReason | undefined;
  eventsWritten = 0;
  bytesWritten = 0;
  isStopRequested = false;
  readonly done: Promise<StreamEndReason>;

  private readonly writer: SseWriter;
  private readonly abort = new AbortController();
  /** Resolves whatever the script is waiting on (a delay, a gate, a generator) when the turn is interrupted. */
  private wake: (() => void) | undefined;
  private settle!: (reason: StreamEndReason) => void;
  private sawMessageEnd = false;
  private sawError = false;
  private sawWorkflow = false;
  /** Blocking mode: the in-band error or message_end metadata that becomes the JSON answer. */
  private errorEvent: Record<string, unknown> | undefined;
  private endMetadata: unknown;
  private pingTimer: NodeJS.Timeout | undefined;
  /** The turn ended with an HTTP error that Dify sent after writing its rows (they stay). */
  failedAfterStoring = false;
  /** The first client went away but the run goes on (2026 Chatflow: its events still reach the run's topic). */
  clientGone = false;

  readonly turn: ChatTurn;

  constructor(
    turn: Omit<ChatTurn, "signal">,
    private readonly message: FakeMessage,
    private readonly res: ServerResponse,
    private readonly settings: Settings,
    /** Runs before `done` settles, so a test awaiting `done` sees the server's books already updated. */
    private readonly onEnd: (run: StreamRun, reason: StreamEndReason) => void = () => undefined,
    private readonly workflow?: TurnWorkflow,
  ) {
    this.turn = { ...turn, signal: this.abort.signal };
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.abort.signal.addEventListener("abort", () => this.wake?.(), { once: true });
    this.writer = new SseWriter(res, settings.wire, {
      onFirstAnswerByte: () => {
        this.firstAnswerByteAt = timestampMs();
      },
      onWrite: (n) => {
        this.bytesWritten += n;
      },
    });
    res.on("close", () => {
      if (res.writableFinished) return;
      // Dify >= 1.13 runs a Chatflow in its own worker and publishes to a topic: a client leaving does not stop it.
      if (this.settings.workflowEvents && this.workflow) this.clientGone = true;
      else this.abort.abort("client-closed");
    });
  }

  get taskId() {
    return this.turn.taskId;
  }
  get messageId() {
    return this.turn.messageId;
  }
  get conversationId() {
    return this.turn.conversationId;
  }
  get user() {
    return this.turn.user;
  }
  get query() {
    return this.turn.query;
  }
  get responseMode() {
    return this.turn.responseMode;
  }
  /** Aborted on stop or client close; handed to the script as `turn.signal`. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** POST /stop for this task. */
  requestStop(): void {
    if (this.isStopRequested || this.endReason) return;
    this.isStopRequested = true;
    const interrupt = () => this.abort.abort("stopped");
    if (this.settings.stopLatencyMs > 0) setTimeout(interrupt, this.settings.stopLatencyMs).unref();
    else interrupt();
  }

  async run(script: ChatScript | HttpErrorReply): Promise<StreamEndReason> {
    if (isReply(script)) return this.end(await this.sendHttpError(script));
    if (this.turn.responseMode === "streaming") this.startPings();
    const iterator = Symbol.asyncIterator in script ? script[Symbol.asyncIterator]() : script[Symbol.iterator]();
    let outcome: StreamEndReason | undefined;
    try {
      while (!this.abort.signal.aborted && outcome === undefined) {
        const pending = iterator.next();
        // Arrays step synchronously; only async scripts need to be raced against stop and client close.
        const next = pending instanceof Promise ? await this.untilInterrupted(pending) : pending;
        if (!next || next.done) break;
        outcome = await this.apply(next.value);
      }
    } catch (err) {
      outcome = await this.failScript(err);
    } finally {
      // Not awaited: a generator suspended on its own promise would hold the stream open.
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
    }
    return this.end(outcome ?? (await this.finishScript()));
  }

  private async apply(step: ChatStep): Promise<StreamEndReason | undefined> {
    const isBlocking = this.turn.responseMode === "blocking";
    if (isBlocking && (step.kind === "ping" || step.kind === "raw" || step.kind === "wire")) return undefined;
    if (isBlocking && step.kind === "eof") return this.finishScript();
    switch (step.kind) {
      case "event":
        return this.writeEvent(step.payload, step.answer);
      case "ping":
        await this.writer.ping();
        return undefined;
      case "raw":
        await this.writer.write(toBytes(step.bytes));
        return undefined;
      case "wire":
        await this.writer.setWire(step.wire);
        return undefined;
      case "delay":
        await this.writer.flush();
        await this.pause(step.ms);
        return undefined;
      case "wait":
        await this.writer.flush();
        await this.untilInterrupted(step.until);
        return undefined;
      case "eof":
        await this.writer.end();
        return "eof";
      case "stored":
        this.message.answer += step.answer;
        return undefined;
      case "reset":
        await this.writer.flush();
        this.res.socket?.resetAndDestroy();
        return "reset";
      case "http-error":
        return this.sendHttpError(step);
      case "human-input":
        return this.pauseForHuman(step.spec, step.onOutcome);
    }
  }

  private async pauseForHuman(spec: HumanInputSpec, onOutcome?: (o: FormOutcome) => void): Promise<StreamEndReason | undefined> {
    if (!this.workflow) throw new Error("a Human Input pause needs a Chatflow or Workflow app");
    await pauseForHumanInput(
      {
        workflow: this.workflow,
        message: this.message,
        turn: this.turn,
        resumeDelayMs: this.settings.humanInputResumeDelayMs,
        writeEvent: (e) => this.writeEvent(e),
        closeClientStream: () => this.writer.end(),
        waitFor: (p) => this.untilInterrupted(p),
        pause: (ms) => this.pause(ms),
      },
      spec,
      onOutcome,
    );
    return undefined;
  }

  private async writeEvent(payload: DifyEventPayload, explicit?: AnswerEffect): Promise<undefined> {
    const event = applyMessageFileBug(fillEvent(payload, this.turn), this.turn, this.settings.messageFileTextBug);
    const effect = answerEffectOf(event, explicit);
    recordEffects(this.message, event, effect);
    if (event.event === "message_end" && this.settings.messageEndFiles === "all")
      event.files = allMessageFiles(this.message, (event.files as unknown[] | null) ?? []);
    if (this.turn.responseMode === "streaming") this.workflow?.run.observe(event, this.writer.currentWire);
    if (event.event === "message_end") this.sawMessageEnd = true;
    if (event.event === "error") this.sawError = true;
    if (event.event === "workflow_started") this.sawWorkflow = true;
    // A Workflow app's stream ends at workflow_finished (there is no message_end in a workflow run).
    if (event.event === "workflow_finished" && this.turn.mode === "workflow") this.sawMessageEnd = true;
    if (this.turn.responseMode === "blocking") {
      if (event.event === "error") this.errorEvent ??= event;
      if (event.event === "message_end") this.endMetadata = event.metadata;
      return undefined;
    }
    this.eventsWritten++;
    await this.writer.write(encodeEvent(event, this.writer.currentWire), effect !== "none");
    return undefined;
  }

  /** After the script: Dify's stop sequence, or the TTS trailers, then the end of the body. */
  private async finishScript(): Promise<StreamEndReason> {
    if (this.abort.signal.reason === "client-closed") return "client-closed";
    if (this.turn.responseMode === "blocking") return this.answerBlocking();
    const terminated = this.sawMessageEnd || this.sawError;
    if (this.isStopRequested && !terminated) {
      if (this.sawWorkflow || this.turn.mode === "advanced-chat" || this.turn.mode === "workflow")
        await this.writeEvent(eventOf(steps.workflowFinished({ status: "stopped", error: this.turn.mode === "workflow" ? "Stopped by user." : null })));
      // Workflow: QueueStopEvent → workflow_finished "stopped" and the end (_handle_workflow_failed_and_stop_events).
      if (this.turn.mode !== "workflow") await this.writeEvent(eventOf(steps.messageEnd()));
      await this.writer.end();
      return "stopped";
    }
    if (this.sawMessageEnd && this.settings.ttsTrailers) {
      await this.writeEvent(eventOf(steps.ttsMessage()));
      await this.writeEvent(eventOf(steps.ttsMessageEnd()));
    }
    await this.writer.end();
    return this.sawError ? "error-event" : this.sawMessageEnd ? "completed" : "eof";
  }

  /** Blocking mode (section 4): the whole answer as JSON, or the worker's failure as an HTTP error. */
  private answerBlocking(): StreamEndReason {
    return answerBlocking(this.res, {
      errorEvent: this.errorEvent,
      sawMessageEnd: this.sawMessageEnd,
      isStopRequested: this.isStopRequested,
      endMetadata: this.endMetadata,
      turn: this.turn,
      answer: this.message.answer,
    });
  }

  private async sendHttpError(reply: HttpErrorReply): Promise<StreamEndReason> {
    this.failedAfterStoring = reply.afterStoring === true;
    if (this.writer.hasStarted) throw new Error("an HTTP error step must come before the first byte of the stream");
    if (!this.writer.isClosed) sendReply(this.res, reply);
    return "http-error";
  }

  private async failScript(err: unknown): Promise<StreamEndReason> {
    console.error("fake Dify: chat script failed", err);
    if (!this.writer.hasStarted && !this.writer.isClosed) sendReply(this.res, replies.unknownError());
    else this.res.destroy();
    return "script-error";
  }

  private end(reason: StreamEndReason): StreamEndReason {
    clearInterval(this.pingTimer);
    // The answer Dify stores is trimmed (section 13).
    this.message.answer = this.message.answer.trim();
    this.endReason = this.abort.signal.reason === "client-closed" && reason !== "http-error" ? "client-closed" : reason;
    this.endedAt = timestampMs();
    this.abort.abort("ended");
    this.onEnd(this, this.endReason);
    this.settle(this.endReason);
    return this.endReason;
  }

  private startPings(): void {
    const every = this.settings.pingIntervalMs;
    if (every <= 0) return;
    this.pingTimer = setInterval(() => void this.writer.ping().catch(() => undefined), every);
    this.pingTimer.unref();
  }

  /** Resolves with the promise's value, or with undefined as soon as the turn is stopped or the client leaves. */
  private untilInterrupted<T>(p: PromiseLike<T>): Promise<T | undefined> {
    if (this.abort.signal.aborted) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve, reject) => {
      this.wake = () => resolve(undefined);
      p.then(
        (value) => {
          this.wake = undefined;
          resolve(value);
        },
        (err: unknown) => {
          this.wake = undefined;
          reject(err);
        },
      );
    });
  }

  private pause(ms: number): Promise<void> {
    if (this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function isReply(x: unknown): x is HttpErrorReply {
  return typeof x === "object" && x !== null && (x as { kind?: unknown }).kind === "http-error";
}

function eventOf(step: ChatStep): DifyEventPayload {
  if (step.kind !== "event") throw new Error("not an event step");
  return step.payload;
}
