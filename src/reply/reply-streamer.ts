import type { RateOp } from "../contracts/chat-platform.js";
import { PlatformRateLimitError } from "../contracts/errors.js";
import type { Logger } from "../contracts/logger.js";
import type { ActionButton, MessageContent, MessageRef, ReplyTarget } from "../contracts/messages.js";
import type { PlatformRoute } from "../gateway/platform-route.js";
import { transientRetryDelayMs } from "../gateway/retry-table.js";
import type { DurationStats } from "../rate/duration-stats.js";
import type { BudgetUsage } from "../rate/rate-budget-store.js";
import { LoopWaker } from "./loop-waker.js";
import { nextOperation, type ReplyGoal, type ReplyOperation, rateOpOf } from "./next-operation.js";
import { OperationApplier } from "./operation-applier.js";
import { type FinalView, finalLayout, type SplitRules, type StreamingView, streamingLayout, streamingSplitter } from "./reply-layout.js";
import type { MarkdownSplitter } from "./split-markdown.js";
import { decideStreamMode } from "./stream-mode.js";
import { judgeUpdateFailure } from "./update-failure.js";
import { UpdatePacer } from "./update-pacer.js";

interface StreamerEvents {
  /** A platform call that shows answer text for the first time has completed. */
  onFirstText?(atMs: number): void;
  /**
   * A message joined the reply (a continuation part, or the native stream's message). The next update waits
   * for the returned promise, so the message is on record (for a recovering worker) before the reply moves on.
   */
  onPart?(ref: MessageRef): void | Promise<void>;
  /** An update that had to land was given up on (a permanent platform error): the user may need telling. */
  onGaveUp?(err: unknown): void;
  /** An update reached the platform; `usage` is what its budgets looked like when its slot was granted. */
  onUpdate?(usage: readonly BudgetUsage[]): void;
  /** The next update waits `waitMs` for a budget slot or a 429 block. */
  onBudgetWait?(waitMs: number): void;
}

export interface ReplyStreamerOptions {
  /** The reply's place on its platform: every call goes through it. */
  readonly route: PlatformRoute;
  readonly target: ReplyTarget;
  /**
   * The placeholder already posted for this answer: it becomes the first message of the reply. `ref` null:
   * nothing was posted, the thread's status line shows `content` until the first message appears.
   */
  readonly placeholder: { readonly ref: MessageRef | null; readonly content: MessageContent };
  readonly stopButton?: ActionButton | undefined;
  readonly askerUserId: string;
  /** Unique per answer; identifies the stream in the shared budgets. */
  readonly streamId: string;
  /**
   * The turn whose continuation messages carry keys (part = their index), so a post retried after a timeout, or
   * by a worker that took over, cannot double one. Unset for a recovered answer, which removes the first run's
   * messages and posts its own.
   */
  readonly postKeyTurnId?: string | undefined;
  readonly durations: DurationStats;
  /** The answering app's choice of native streaming, over the platform's: "edit" never streams natively. */
  readonly streamMode?: "auto" | "edit" | "native" | undefined;
  readonly events?: StreamerEvents;
}

type Goal = { -readonly [K in keyof ReplyGoal]: ReplyGoal[K] };

/** How long removing a message a reposted final replaced may wait for its budget (it yields to every text). */
const TIDY_WAIT_MS = 15 * 60_000;

/** Budgets this stream joins (and leaves at the end): the ones its routine updates spend. */
const STREAM_OPS: readonly RateOp[] = ["edit", "streamAppend"];

/**
 * Shows a growing answer on the platform: coalesces updates (only the latest text matters), keeps one call in
 * flight per answer, paces routine updates within the shared budgets, continues in further messages past the
 * platform's length limit, streams natively where that is faster, and always lands the exact final text,
 * which overtakes any routine update still waiting. What to send next is `nextOperation`; sending it is the
 * `OperationApplier` through the route; what a failure means is `judgeUpdateFailure`. This class is the loop.
 */
export class ReplyStreamer {
  private readonly applier: OperationApplier;
  private readonly goal: Goal;
  private readonly waker = new LoopWaker();
  private readonly pacer: UpdatePacer;
  private readonly log: Logger;
  private pendingView: (() => StreamingView) | undefined;
  private nativeRefused = false;
  private modeChoice: "native" | "edit" | undefined;
  /** Budgets too scarce for first text + progress + final: the first text waits this long (see decideStreamMode). */
  private firstTextHoldMs = 0;
  /** When the answer first had text to show. */
  private textSince: number | undefined;
  private failures = 0;
  /** When the final text was first asked for. */
  private finalSince: number | undefined;
  /** A final text was given up on: the reply does not show the end of the answer. */
  private finalLost = false;
  /** Parts whose final went out as a new message (once each), and the messages that replaced, to remove. */
  private readonly reposted = new Set<number>();
  private readonly retired: MessageRef[] = [];
  private firstTextAt: number | undefined;
  private closed = false;
  private loop: Promise<void>;
  private loopDone = false;
  private readonly rules: SplitRules;
  /** The growing answer's split, reused from one layout to the next (both layouts below split the same text). */
  private readonly splitter: MarkdownSplitter;

  constructor(private readonly o: ReplyStreamerOptions) {
    this.log = o.route.logger;
    const caps = o.route.platform.capabilities;
    this.rules = { maxChars: caps.maxMessageLength, edgesTrimmed: caps.trimsMessageEdges ?? false };
    this.splitter = streamingSplitter(this.rules);
    this.pacer = new UpdatePacer(o.route, o.durations, o.streamId);
    this.applier = new OperationApplier(o.route.platform, o.target, o.askerUserId, o.placeholder, o.postKeyTurnId);
    this.goal = { desired: [o.placeholder.content], desiredRaw: [], isFinal: false, hasText: false, textShown: false, native: undefined };
    this.loop = this.startLoop();
  }

  private startLoop(): Promise<void> {
    this.loopDone = false;
    return this.run()
      .catch((err: unknown) => this.log.error({ err }, "reply streamer stopped unexpectedly"))
      .finally(() => {
        this.loopDone = true;
      });
  }

  /**
   * The latest view of the answer. Call it on every Dify event: pass a function and it is only evaluated when
   * the next update is about to be sent (a few times a second), not once per token.
   */
  show(view: StreamingView | (() => StreamingView)): void {
    if (this.goal.isFinal) return;
    this.pendingView = typeof view === "function" ? view : () => view;
    if (!this.waker.isWaitingForSlot) this.waker.poke();
  }

  /** Turns the latest view into the goal, at most once per `show`. */
  private settleView(): void {
    const pending = this.pendingView;
    if (!pending || this.goal.isFinal) return;
    this.pendingView = undefined;
    const view = pending();
    this.goal.hasText = view.text.trim() !== "";
    if (this.goal.hasText) this.textSince ??= Date.now();
    this.goal.desired = streamingLayout(view, { ...this.rules, stopButton: this.o.stopButton, splitter: this.splitter });
    // Append-only streams get the text without the preview's closing fence (it would have to be taken back),
    // and nothing while there is no text (the status line is not part of the answer).
    this.goal.desiredRaw = this.goal.hasText ? streamingLayout(view, { ...this.rules, preview: false, splitter: this.splitter }).map((c) => c.markdown) : [""];
    this.goal.tasks = this.o.route.platform.streaming ? view.tasks : undefined;
  }

  /**
   * Shows the final answer exactly and resolves with every message of the reply, in order. May be called
   * again later (e.g. to add suggestion buttons once Dify has generated them).
   */
  async finish(view: FinalView): Promise<readonly MessageRef[]> {
    const first = !this.goal.isFinal;
    const finalAt = Date.now();
    this.finalSince ??= finalAt;
    this.goal.isFinal = true;
    this.pendingView = undefined;
    this.goal.hasText = true;
    this.goal.desired = finalLayout(view, this.rules);
    if (this.o.route.platform.streaming && view.tasks) this.goal.tasks = view.tasks;
    if (this.loopDone && !this.closed) this.loop = this.startLoop();
    else this.waker.poke();
    await this.loop;
    // Messages a reposted final replaced go once their budget allows; the answer is complete without waiting.
    if (this.retired.length > 0) void this.tidy();
    if (first) {
      // How long the answer streamed (not how long its final text then waited for a budget slot).
      const since = this.answerSince();
      if (this.firstTextAt !== undefined && since !== undefined) this.o.durations.observe(finalAt - since);
      await this.o.route.leave(STREAM_OPS, this.o.streamId).catch(() => undefined);
    }
    return this.refs;
  }

  /** Stops the loop without a final text (only for teardown when finishing is impossible). */
  close(): void {
    this.closed = true;
    this.waker.poke();
  }

  /** Whether every final text the reply was given is on the platform (false once one was given up on). */
  get finalShown(): boolean {
    return this.goal.isFinal && !this.finalLost;
  }

  get refs(): readonly MessageRef[] {
    return this.applier.refs;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const op = await this.next();
      if (!op) {
        if (this.goal.isFinal) return;
        // A view shown while the next update was being worked out (its poke found no pause to end) must not wait.
        if (this.pendingView) continue;
        await this.waker.pause(60_000);
        continue;
      }
      const routine = (op.kind === "edit" && op.routine) || op.kind === "append";
      const holdMs = this.holdMsFor(op);
      if (holdMs > 0) {
        await this.waker.pauseForSlot(holdMs);
        continue;
      }
      const waitMs = this.pacer.waitMs(routine);
      if (waitMs > 0) {
        await this.waker.pauseForSlot(waitMs);
        continue;
      }
      const rateOp = rateOpOf(op);
      if (routine && this.pacer.firstProgressUnchecked) {
        const laterMs = this.pacer.recheckFirstProgress(await this.o.route.usage(rateOp), op.kind === "append", this.answerSince());
        if (laterMs > 0) {
          await this.waker.pauseForSlot(laterMs);
          continue;
        }
      }
      // A final whose own budget refused another final moments ago goes out as a new message without asking it
      // again: with many finals due together, that second Redis round trip was a fifth of each final's wait.
      if (this.goal.isFinal && this.o.route.refusedRecently(rateOp) && (await this.repostFinal(op, 0))) continue;
      const grant = await this.o.route.tryAcquire(rateOp, this.pacer.slotFor(rateOp, routine));
      if (!grant.granted) {
        if (await this.repostFinal(op, grant.waitMs)) continue;
        const pauseMs = this.pacer.refused(grant, routine, op.kind === "append", this.answerSince());
        this.o.events?.onBudgetWait?.(Math.max(pauseMs, grant.waitMs));
        if (pauseMs > 0) await this.waker.pauseForSlot(pauseMs);
        continue;
      }
      this.pacer.granted();
      const update = await this.withLatestText(op);
      // Intervals run from when an update is sent, not from when the platform answered it.
      const sentAt = Date.now();
      try {
        await this.o.route.send(rateOp, () => this.perform(update));
        this.failures = 0;
        this.o.events?.onUpdate?.(grant.usage);
        // Any update of the growing message (the first text included) starts the next routine interval.
        if (routine || op.kind === "nativeStart" || (op.kind === "edit" && op.showsText)) {
          const native = op.kind === "append" || op.kind === "nativeStart";
          // A held start already shows a stretch of the answer: the first append is then paced like any other.
          if (op.kind === "nativeStart" && this.firstTextHoldMs > 0) this.pacer.progressShown();
          this.pacer.sent(sentAt, routine ? grant.usage : await this.usageForRoutine(), native, this.answerSince(), routine);
        }
      } catch (err) {
        await this.onFailure(update, err);
      }
    }
  }

  /**
   * The final text has first claim on every path that can carry it: when its edit (or stop) slot is refused and
   * a post has room now, it goes out as a new message in place of the last part (on Slack chat.postMessage is
   * metered per channel, apart from the workspace's update and stop budgets). Not even a slot said to free soon
   * is waited for: with many finals due together, "soon" is taken by another one again and again, which left
   * some finals waiting 15 s and more. The part it replaces shows a prefix of the answer, never the answer, and
   * is removed once its budget returns (`tidy`), so the final is never shown twice. True when the loop should
   * look again (posted, or tried).
   */
  private async repostFinal(op: ReplyOperation, waitMs: number): Promise<boolean> {
    if (!this.goal.isFinal || (op.kind !== "edit" && op.kind !== "nativeStop")) return false;
    if (!this.o.route.platform.deleteMessage || op.index !== this.applier.parts.length - 1 || this.reposted.has(op.index)) return false;
    // Text already shown in full (only buttons or the stream's end missing) would then be shown twice.
    const part = this.applier.parts[op.index];
    const shownText = part?.mode === "native" ? part.appended : part?.shown?.markdown;
    if (shownText === op.content.markdown) return false;
    const grant = await this.o.route.tryAcquire("post", { priority: "high", streamId: this.o.streamId });
    if (!grant.granted) return false;
    // Once per part, whatever happens: a post whose outcome is unknown must not be followed by a second one.
    this.reposted.add(op.index);
    try {
      const { ref, retired } = await this.o.route.send("post", () => this.applier.repost(op.index, op.content));
      this.retired.push(...retired);
      this.markText();
      this.log.info({ waitMs, op: op.kind, parts: this.applier.parts.length }, "final text posted as a new message: its own budget is spent");
      this.o.events?.onUpdate?.(grant.usage);
      await this.o.events?.onPart?.(ref);
    } catch (err) {
      // Not posted (or not known to be): the final waits for its own slot, as it would have.
      this.log.warn({ err }, "could not post the final text as a new message");
    }
    return true;
  }

  /**
   * Removes the messages reposted finals replaced, each when the delete budget has a routine slot. Until then
   * the thread shows the answer's beginning twice, so 429s and passing failures are tried again (`untilLanded`).
   */
  private async tidy(): Promise<void> {
    const platform = this.o.route.platform;
    for (const ref of this.retired.splice(0)) {
      try {
        const remove = () => platform.deleteMessage?.(ref) ?? Promise.resolve();
        const done = await this.o.route.routine("delete", remove, { maxWaitMs: TIDY_WAIT_MS, untilLanded: true });
        if (!done) this.log.warn({ messageId: ref.messageId }, "a message a reposted final replaced stays: no delete slot in time");
      } catch (err) {
        this.log.warn({ err, messageId: ref.messageId }, "could not remove a message a reposted final replaced");
      }
    }
  }

  /** How long the first text (an edit or a native start) still waits when budgets are scarce (0: send it). Finals never wait. */
  private holdMsFor(op: ReplyOperation): number {
    const isFirstText = (op.kind === "nativeStart" || (op.kind === "edit" && !op.routine && op.showsText)) && this.firstTextAt === undefined;
    if (this.firstTextHoldMs === 0 || !isFirstText || this.goal.isFinal || this.textSince === undefined) return 0;
    return Math.max(0, this.textSince + this.firstTextHoldMs - Date.now());
  }

  /** The next operation, choosing the stream mode first when the next update is the first text. */
  private async next(): Promise<ReplyOperation | null> {
    this.settleView();
    const goal = this.goal;
    goal.textShown = this.firstTextAt !== undefined;
    const nativeOff = !this.o.route.platform.streaming || this.nativeRefused || this.o.streamMode === "edit";
    goal.native = nativeOff ? false : this.modeChoice === undefined ? undefined : this.modeChoice === "native";
    let op = nextOperation(this.applier.parts, goal);
    if (op === "chooseMode") {
      const streaming = this.o.route.platform.streaming;
      const mode = this.o.streamMode === "auto" || this.o.streamMode === "native" ? this.o.streamMode : streaming?.mode;
      const decision = streaming && mode ? await decideStreamMode(this.o.route, mode, this.o.streamId, this.o.durations.expectedMs(), this.log) : undefined;
      this.modeChoice = decision?.mode ?? "edit";
      this.firstTextHoldMs = decision?.firstTextHoldMs ?? 0;
      goal.native = this.modeChoice === "native";
      op = nextOperation(this.applier.parts, goal);
    }
    return op === "chooseMode" ? null : op;
  }

  /** Text that arrived while the budget was checked goes out with this update: same call, newer content. */
  private async withLatestText(op: ReplyOperation): Promise<ReplyOperation> {
    if (!this.pendingView) return op;
    const latest = await this.next();
    const indexOf = (o: ReplyOperation) => ("index" in o ? o.index : -1);
    return latest && latest.kind === op.kind && indexOf(latest) === indexOf(op) ? latest : op;
  }

  private async perform(op: ReplyOperation): Promise<void> {
    const added = await this.applier.apply(op);
    if (added) await this.o.events?.onPart?.(added);
    if (op.kind === "nativeStart" || ((op.kind === "post" || op.kind === "edit") && op.showsText)) this.markText();
  }

  /**
   * When the answer began for pacing: when it first had text, which a held first text (see `holdMsFor`) shows
   * only later; the time left is counted from here.
   */
  private answerSince(): number | undefined {
    return this.textSince ?? this.firstTextAt;
  }

  private markText(): void {
    if (this.firstTextAt === undefined) {
      this.firstTextAt = Date.now();
      this.o.events?.onFirstText?.(this.firstTextAt);
    }
  }

  private usageForRoutine(): Promise<BudgetUsage[]> {
    return this.o.route.usage(this.applier.lastIsNative ? "streamAppend" : "edit");
  }

  private async onFailure(op: ReplyOperation, err: unknown): Promise<void> {
    if (err instanceof PlatformRateLimitError) {
      this.pacer.rateLimited(err.retryAfterMs);
      this.o.events?.onBudgetWait?.(err.retryAfterMs);
      return;
    }
    this.failures++;
    this.log.warn({ err, op: op.kind, failures: this.failures }, "reply update failed");
    const finalForMs = this.finalSince === undefined ? 0 : Date.now() - this.finalSince;
    switch (judgeUpdateFailure(op, err, { failuresInARow: this.failures, isFinal: this.goal.isFinal, finalForMs })) {
      case "nativeRefused":
        this.nativeRefused = true;
        return;
      case "statusRefused":
        this.applier.leaveStatusLine();
        return;
      case "streamGone":
        if ("index" in op) this.applier.endStream(op.index);
        return;
      case "repost":
        if ("index" in op) this.applier.forgetMessage(op.index);
        return;
      case "giveUp":
        this.log.error({ err, op: op.kind }, "giving up on a reply update");
        this.failures = 0;
        if (this.goal.isFinal) this.finalLost = true;
        if (op.kind === "post") this.goal.desired = this.goal.desired.slice(0, op.index);
        else if (op.kind === "delete") this.applier.drop(op.index);
        else if (op.kind === "edit") this.applier.markShown(op.index, op.content);
        this.o.events?.onGaveUp?.(err);
        return;
      case "retry":
        await this.waker.pause(transientRetryDelayMs(err, this.failures));
    }
  }
}
