import type { ChatPlatform, RateBudget, RateOp } from "../contracts/chat-platform.js";
import {
  PlatformAuthError,
  PlatformError,
  PlatformNotFoundError,
  PlatformPermissionError,
  PlatformRateLimitError,
  PlatformValidationError,
} from "../contracts/errors.js";
import type { Logger } from "../contracts/logger.js";
import type { ActionButton, MessageContent, MessageRef, ReplyTarget } from "../contracts/messages.js";
import { type BudgetUsage, budgetRetryDelayMs, type RateBudgetStore } from "../rate/rate-budget-store.js";
import { type DurationStats, routineIntervalMs } from "./edit-pacer.js";
import { type FinalView, finalLayout, type ReplyLayout, type StreamingView, sameContent, streamingLayout } from "./reply-layout.js";
import { chooseStreamMode } from "./stream-mode.js";

export interface StreamerEvents {
  /** A platform call that shows answer text for the first time has completed. */
  onFirstText?(atMs: number): void;
  onOp?(op: RateOp): void;
  onRateLimited?(): void;
  /**
   * A message joined the reply (a continuation part, or the native stream's message). The next update waits
   * for the returned promise, so the message is on record (for a recovering worker) before the reply moves on.
   */
  onPart?(ref: MessageRef): void | Promise<void>;
}

export interface ReplyStreamerOptions {
  readonly platform: ChatPlatform;
  readonly budgets: RateBudgetStore;
  readonly target: ReplyTarget;
  /** The placeholder already posted for this answer: it becomes the first message of the reply. */
  readonly placeholder: { readonly ref: MessageRef; readonly content: MessageContent };
  readonly stopButton?: ActionButton | undefined;
  readonly askerUserId: string;
  /** Unique per answer; identifies the stream in the shared budgets. */
  readonly streamId: string;
  readonly durations: DurationStats;
  readonly logger: Logger;
  readonly events?: StreamerEvents;
}

interface Part {
  ref: MessageRef | null;
  shown: MessageContent | undefined;
  mode: "edit" | "native";
  /** Native mode: the text appended to the stream so far. */
  appended: string;
}

type Op =
  | { kind: "post" | "edit"; index: number; content: MessageContent; routine: boolean; showsText: boolean }
  | { kind: "nativeStart"; content: MessageContent }
  | { kind: "append"; index: number; delta: string; content: MessageContent }
  | { kind: "nativeStop"; index: number; content: MessageContent }
  | { kind: "delete"; index: number };

const FINAL_ATTEMPTS = 6;

/**
 * Shows a growing answer on the platform: coalesces updates (only the latest text matters), keeps one call in
 * flight per answer, paces routine updates within the shared budgets, continues in further messages past the
 * platform's length limit, streams natively where that is faster, and always lands the exact final text,
 * which overtakes any routine update still waiting.
 */
export class ReplyStreamer {
  private readonly parts: Part[];
  private desired: ReplyLayout;
  private isFinal = false;
  /** The view holds answer text (not just the placeholder or a progress line). */
  private hasText = false;
  private pendingView: (() => StreamingView) | undefined;
  /** The streaming layout's text without preview fences, for append-only (native) parts. */
  private desiredRaw: readonly string[] = [];
  private control: MessageRef | null = null;
  private nativeRefused = false;
  private modeChoice: "native" | "edit" | undefined;
  private nextRoutineAt = 0;
  /** After a 429, nothing is sent before this time (also recorded in the shared budget for other streams). */
  private blockedUntil = 0;
  private failures = 0;
  private refusals = 0;
  private firstTextAt: number | undefined;
  private readonly startedAt = Date.now();
  private wake: (() => void) | undefined;
  /** The loop is paused until a routine interval, a budget slot or a 429 block ends (only `finish` wakes it). */
  private waitingForSlot = false;
  private closed = false;
  private loop: Promise<void>;
  private loopDone = false;
  private readonly maxChars: number;

  constructor(private readonly o: ReplyStreamerOptions) {
    this.maxChars = o.platform.capabilities.maxMessageLength;
    this.parts = [{ ref: o.placeholder.ref, shown: o.placeholder.content, mode: "edit", appended: "" }];
    this.desired = [o.placeholder.content];
    this.loop = this.startLoop();
  }

  private startLoop(): Promise<void> {
    this.loopDone = false;
    return this.run()
      .catch((err: unknown) => this.o.logger.error({ err }, "reply streamer stopped unexpectedly"))
      .finally(() => {
        this.loopDone = true;
      });
  }

  /**
   * The latest view of the answer. Call it on every Dify event: pass a function and it is only evaluated when
   * the next update is about to be sent (a few times a second), not once per token.
   */
  show(view: StreamingView | (() => StreamingView)): void {
    if (this.isFinal) return;
    this.pendingView = typeof view === "function" ? view : () => view;
    // While the loop waits for its next update slot, new text just waits with it: waking the loop on every
    // token would lay the reply out once per token instead of once per update.
    if (!this.waitingForSlot) this.poke();
  }

  /** Turns the latest view into the layout, at most once per `show`. */
  private settleView(): void {
    const pending = this.pendingView;
    if (!pending || this.isFinal) return;
    this.pendingView = undefined;
    const view = pending();
    this.hasText = view.text.trim() !== "";
    this.desired = streamingLayout(view, { maxChars: this.maxChars, stopButton: this.o.stopButton });
    // Append-only streams get the text without the preview's closing fence (it would have to be taken back).
    this.desiredRaw = streamingLayout(view, { maxChars: this.maxChars, preview: false }).map((c) => c.markdown);
  }

  /**
   * Shows the final answer exactly and resolves with every message of the reply, in order. May be called
   * again later (e.g. to add suggestion buttons once Dify has generated them).
   */
  async finish(view: FinalView): Promise<readonly MessageRef[]> {
    const first = !this.isFinal;
    const finalAt = Date.now();
    this.isFinal = true;
    this.pendingView = undefined;
    this.hasText = true;
    this.desired = finalLayout(view, { maxChars: this.maxChars });
    if (this.loopDone && !this.closed) this.loop = this.startLoop();
    else this.poke();
    await this.loop;
    if (first) {
      // How long the answer streamed (not how long its final text then waited for a budget slot).
      if (this.firstTextAt !== undefined) this.o.durations.observe(finalAt - this.firstTextAt);
      await this.o.budgets.leave(this.allBudgets(), this.o.streamId).catch(() => undefined);
    }
    return this.refs;
  }

  /** Stops the loop without a final text (only for teardown when finishing is impossible). */
  close(): void {
    this.closed = true;
    this.poke();
  }

  get refs(): readonly MessageRef[] {
    return this.parts.flatMap((p) => (p.ref ? [p.ref] : []));
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** A pause that only the timer or `finish` ends. */
  private async pauseForSlot(ms: number): Promise<void> {
    this.waitingForSlot = true;
    try {
      await this.pause(ms);
    } finally {
      this.waitingForSlot = false;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private budgetsFor(op: RateOp): readonly RateBudget[] {
    const place = { workspaceId: this.o.target.workspaceId, channelId: this.o.target.channelId };
    return this.o.platform.capabilities.rateBudgets(place)[op] ?? [];
  }

  private allBudgets(): RateBudget[] {
    return (["edit", "streamAppend"] as const).flatMap((op) => [...this.budgetsFor(op)]);
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const op = await this.nextOp();
      if (!op) {
        if (this.isFinal) return;
        // A view shown while nextOp was settling (its poke found no pause to end) must not wait for the next one.
        if (this.pendingView) continue;
        await this.pause(60_000);
        continue;
      }
      const blockedMs = this.blockedUntil - Date.now();
      if (blockedMs > 0) {
        await this.pauseForSlot(blockedMs);
        continue;
      }
      const routine = (op.kind === "edit" && op.routine) || op.kind === "append";
      if (routine) {
        const waitMs = this.nextRoutineAt - Date.now();
        if (waitMs > 0) {
          await this.pauseForSlot(waitMs);
          continue;
        }
      }
      const rateOp = rateOpOf(op);
      const budgets = this.budgetsFor(rateOp);
      const grant = await this.o.budgets.acquire(budgets, {
        priority: routine ? "normal" : "high",
        streamId: rateOp === "edit" || rateOp === "streamAppend" ? this.o.streamId : undefined,
        reserve: rateOp !== "streamAppend",
      });
      if (!grant.granted) {
        if (routine) {
          // A busy budget: try again when this stream's fair share says, not as soon as any slot frees (with
          // hundreds of streams on one budget, the retries alone would flood Redis).
          const share = this.intervalFor(grant.usage, op.kind === "append");
          this.nextRoutineAt = Date.now() + Math.max(grant.waitMs, share / 2) * (0.75 + Math.random() / 2);
          continue;
        }
        await this.pauseForSlot(budgetRetryDelayMs(grant.waitMs, this.refusals++));
        continue;
      }
      this.refusals = 0;
      const update = await this.withLatestText(op);
      // Intervals run from when an update is sent, not from when the platform answered it.
      const sentAt = Date.now();
      try {
        await this.perform(update);
        this.failures = 0;
        this.o.events?.onOp?.(rateOp);
        // Any update of the growing message (the first text included) starts the next routine interval.
        if (routine || op.kind === "nativeStart" || (op.kind === "edit" && op.showsText)) {
          const native = op.kind === "append" || op.kind === "nativeStart";
          this.nextRoutineAt = sentAt + this.intervalFor(routine ? grant.usage : await this.usageForRoutine(), native);
        }
      } catch (err) {
        await this.onFailure(update, budgets, err);
      }
    }
  }

  /** Text that arrived while the budget was checked goes out with this update: same call, newer content. */
  private async withLatestText(op: Op): Promise<Op> {
    if (!this.pendingView) return op;
    const latest = await this.nextOp();
    const indexOf = (o: Op) => ("index" in o ? o.index : -1);
    return latest && latest.kind === op.kind && indexOf(latest) === indexOf(op) ? latest : op;
  }

  private usageForRoutine(): Promise<BudgetUsage[]> {
    const native = this.parts[this.parts.length - 1]?.mode === "native";
    return this.o.budgets.usage(this.budgetsFor(native ? "streamAppend" : "edit"));
  }

  private intervalFor(usage: readonly BudgetUsage[], native = false): number {
    return routineIntervalMs({
      reservesFinals: !native,
      usage,
      elapsedMs: Date.now() - (this.firstTextAt ?? this.startedAt),
      expectedDurationMs: this.o.durations.expectedMs(),
      minIntervalMs: this.o.platform.capabilities.minEditIntervalMs,
    });
  }

  private async nextOp(): Promise<Op | null> {
    this.settleView();
    const last = this.desired.length - 1;
    for (let i = 0; i <= last; i++) {
      const want = this.desired[i] as MessageContent;
      const part = this.parts[i];
      const frozen = this.isFinal || i < last;
      if (!part?.ref) return { kind: "post", index: i, content: want, routine: false, showsText: this.hasText };
      if (part.mode === "native") {
        const raw = this.isFinal ? want.markdown : (this.desiredRaw[i] ?? want.markdown);
        if (frozen || !raw.startsWith(part.appended)) return { kind: "nativeStop", index: i, content: want };
        if (raw !== part.appended) return { kind: "append", index: i, delta: raw.slice(part.appended.length), content: { markdown: raw } };
        continue;
      }
      if (sameContent(part.shown, want)) continue;
      const firstText = i === 0 && this.firstTextAt === undefined && this.hasText;
      if (firstText && !this.isFinal && (await this.shouldStreamNatively()))
        return { kind: "nativeStart", content: { markdown: this.desiredRaw[0] ?? want.markdown } };
      const routine = !frozen && !firstText;
      return { kind: "edit", index: i, content: want, routine, showsText: this.hasText };
    }
    if (this.isFinal && this.parts.length > this.desired.length) return { kind: "delete", index: this.parts.length - 1 };
    return null;
  }

  /**
   * Decided once per answer, under a workspace-wide lock: streams starting together would otherwise all read the
   * same budgets and all pick the same mode. The stream joins the budget it chose before the lock is released.
   */
  private async shouldStreamNatively(): Promise<boolean> {
    const streaming = this.o.platform.streaming;
    if (!streaming || this.nativeRefused) return false;
    if (this.modeChoice) return this.modeChoice === "native";
    const lists = {
      start: this.budgetsFor("streamStart"),
      stop: this.budgetsFor("streamStop"),
      append: this.budgetsFor("streamAppend"),
      edit: this.budgetsFor("edit"),
    };
    const lockName = lists.start[0]?.key ?? `${this.o.platform.id}:${this.o.target.workspaceId}`;
    this.modeChoice = await this.o.budgets
      .exclusively(`mode:${lockName}`, async () => {
        const [start, stop, append, edit] = await Promise.all([lists.start, lists.stop, lists.append, lists.edit].map((l) => this.o.budgets.usage(l)));
        const choice = chooseStreamMode(streaming.mode, { start: start ?? [], stop: stop ?? [], append: append ?? [], edit: edit ?? [] });
        await this.o.budgets.join(choice === "native" ? lists.append : lists.edit, this.o.streamId);
        return choice;
      })
      .catch((err: unknown) => {
        // Without the lock the choice could not see the streams choosing beside it: edit, which always works.
        this.o.logger.warn({ err }, "could not choose the stream mode; editing");
        return "edit" as const;
      });
    return this.modeChoice === "native";
  }

  private markText(): void {
    if (this.firstTextAt === undefined) {
      this.firstTextAt = Date.now();
      this.o.events?.onFirstText?.(this.firstTextAt);
    }
  }

  private async perform(op: Op): Promise<void> {
    const { platform, target } = this.o;
    switch (op.kind) {
      case "post": {
        const ref = await platform.postMessage(target, op.content);
        this.parts[op.index] = { ref, shown: op.content, mode: "edit", appended: "" };
        await this.o.events?.onPart?.(ref);
        if (op.showsText) this.markText();
        return;
      }
      case "edit": {
        const part = this.parts[op.index] as Part;
        await platform.editMessage(part.ref as MessageRef, op.content);
        part.shown = op.content;
        if (op.showsText) this.markText();
        return;
      }
      case "nativeStart": {
        const streaming = platform.streaming;
        if (!streaming) throw new Error("native streaming unavailable");
        const placeholder = this.parts[0]?.ref as MessageRef;
        const ref = await streaming.start(target, op.content.markdown, { placeholder, askerUserId: this.o.askerUserId });
        this.control = placeholder;
        this.parts[0] = { ref, shown: { markdown: op.content.markdown }, mode: "native", appended: op.content.markdown };
        await this.o.events?.onPart?.(ref);
        this.markText();
        return;
      }
      case "append": {
        const part = this.parts[op.index] as Part;
        await platform.streaming?.append(part.ref as MessageRef, op.delta);
        part.appended += op.delta;
        part.shown = { markdown: part.appended };
        return;
      }
      case "nativeStop": {
        const part = this.parts[op.index] as Part;
        const extends_ = op.content.markdown.startsWith(part.appended);
        const content = extends_ ? op.content : { markdown: part.appended };
        await platform.streaming?.stop(
          part.ref as MessageRef,
          { markdownDelta: content.markdown.slice(part.appended.length), content },
          { placeholder: this.control ?? (part.ref as MessageRef) },
        );
        this.control = null;
        part.mode = "edit";
        part.appended = "";
        part.shown = content;
        return;
      }
      case "delete": {
        const part = this.parts[op.index] as Part;
        if (platform.deleteMessage && part.ref) await platform.deleteMessage(part.ref);
        else if (part.ref) await platform.editMessage(part.ref, { markdown: "…" });
        this.parts.splice(op.index, 1);
        return;
      }
    }
  }

  private async onFailure(op: Op, budgets: readonly RateBudget[], err: unknown): Promise<void> {
    const log = this.o.logger;
    if (err instanceof PlatformRateLimitError) {
      this.o.events?.onRateLimited?.();
      log.warn({ retryAfterMs: err.retryAfterMs, op: op.kind, global: err.global }, "platform rate limit hit; waiting");
      this.blockedUntil = Math.max(this.blockedUntil, Date.now() + err.retryAfterMs);
      await this.o.budgets.block(
        budgets.map((b) => b.key),
        err.retryAfterMs,
      );
      return;
    }
    this.failures++;
    log.warn({ err, op: op.kind, failures: this.failures }, "reply update failed");
    const part = "index" in op ? this.parts[op.index] : this.parts[0];
    if (op.kind === "nativeStart") {
      this.nativeRefused = true;
      return;
    }
    if (op.kind === "append" || op.kind === "nativeStop") {
      // The stream is gone (expired, or stopped elsewhere): it is an ordinary message now; edit it.
      if (part) {
        part.mode = "edit";
        part.shown = { markdown: part.appended };
        part.appended = "";
      }
      this.control = null;
      return;
    }
    if (err instanceof PlatformNotFoundError && part && op.kind === "edit") {
      part.ref = null; // deleted by someone: post it again
      return;
    }
    // Errors that no retry can fix (permissions, auth, invalid content): give up on this update at once.
    const hopeless =
      err instanceof PlatformPermissionError ||
      err instanceof PlatformAuthError ||
      err instanceof PlatformValidationError ||
      err instanceof PlatformNotFoundError;
    const mustLand = this.isFinal || op.kind === "post" || (op.kind === "edit" && !op.routine);
    if (hopeless || (mustLand && this.failures >= FINAL_ATTEMPTS)) {
      log.error({ err, op: op.kind }, "giving up on a reply update");
      this.failures = 0;
      if (op.kind === "post") this.desired = this.desired.slice(0, op.index);
      else if (op.kind === "delete") this.parts.splice(op.index, 1);
      else if (op.kind === "edit" && part) part.shown = op.content;
      return;
    }
    await this.pause(Math.min(5_000, 100 * 2 ** this.failures) * (err instanceof PlatformError ? 1 : 2));
  }
}

function rateOpOf(op: Op): RateOp {
  switch (op.kind) {
    case "post":
      return "post";
    case "edit":
    case "delete":
      return "edit";
    case "nativeStart":
      return "streamStart";
    case "append":
      return "streamAppend";
    case "nativeStop":
      return "streamStop";
  }
}
