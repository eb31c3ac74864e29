import type { ChatPlatform, StreamTasks } from "../contracts/chat-platform.js";
import type { MessageContent, MessageRef, ReplyTarget } from "../contracts/messages.js";
import type { ReplyOperation, ShownPart } from "./next-operation.js";
import { statusLineOf } from "./reply-layout.js";

/** Post keys from here on name a final text posted anew in place of part `part - REPOSTED_PART` (see `PostKey`). */
const REPOSTED_PART = 1_000;

/** Records the cards a stream was sent, so the next call sends only what changed. */
function noteTasks(part: ShownPart, tasks: StreamTasks | undefined): void {
  if (!tasks) return;
  part.sentTasks = { ...part.sentTasks };
  for (const t of tasks.tasks) part.sentTasks[t.id] = JSON.stringify(t);
  if (tasks.plan !== undefined) part.sentPlan = tasks.plan;
}

/**
 * The reply's messages as the platform shows them, and the calls that change them. `apply` makes one platform
 * call and records its effect only once the call succeeded, so a failed call leaves the record true.
 */
export class OperationApplier {
  readonly parts: ShownPart[];
  /** While a native stream runs: the placeholder (if one was posted) that carries the answer's buttons, removed when it stops. */
  private control: MessageRef | null = null;

  constructor(
    private readonly platform: ChatPlatform,
    private readonly target: ReplyTarget,
    private readonly askerUserId: string,
    /** `ref` null: nothing posted yet, the thread's status line stands in (see `AssistantSurface`). */
    placeholder: { readonly ref: MessageRef | null; readonly content: MessageContent },
    /** The turn whose posts carry keys (see `PostKey`); unset: posts carry none. */
    private readonly keyTurnId?: string,
  ) {
    this.parts = [{ ref: placeholder.ref, shown: placeholder.content, mode: placeholder.ref ? "edit" : "status", appended: "" }];
  }

  get refs(): readonly MessageRef[] {
    return this.parts.flatMap((p) => (p.ref ? [p.ref] : []));
  }

  get lastIsNative(): boolean {
    return this.parts[this.parts.length - 1]?.mode === "native";
  }

  /** Performs `op`; resolves with the message it added to the reply, if any. */
  async apply(op: ReplyOperation): Promise<MessageRef | undefined> {
    const { platform, target } = this;
    switch (op.kind) {
      case "post": {
        const key = this.keyTurnId === undefined ? undefined : { turnId: this.keyTurnId, part: op.index };
        const ref = await platform.postMessage(target, op.content, key ? { key } : {});
        this.parts[op.index] = { ref, shown: op.content, mode: "edit", appended: "" };
        return ref;
      }
      case "edit": {
        const part = this.parts[op.index] as ShownPart;
        await platform.editMessage(part.ref as MessageRef, op.content);
        part.shown = op.content;
        return undefined;
      }
      case "nativeStart": {
        const streaming = platform.streaming;
        if (!streaming) throw new Error("native streaming unavailable");
        const placeholder = this.parts[0]?.ref ?? null;
        const ref = await streaming.start(target, op.content.markdown, {
          ...(placeholder ? { placeholder } : {}),
          askerUserId: this.askerUserId,
          ...(op.tasks ? { tasks: op.tasks } : {}),
        });
        this.control = placeholder;
        const part: ShownPart = { ref, shown: { markdown: op.content.markdown }, mode: "native", appended: op.content.markdown };
        noteTasks(part, op.tasks);
        this.parts[0] = part;
        return ref;
      }
      case "append": {
        const part = this.parts[op.index] as ShownPart;
        await platform.streaming?.append(part.ref as MessageRef, op.delta, op.tasks);
        noteTasks(part, op.tasks);
        part.appended += op.delta;
        part.shown = { markdown: part.appended };
        return undefined;
      }
      case "nativeStop": {
        const part = this.parts[op.index] as ShownPart;
        // A final text that does not extend what was appended cannot be expressed as a delta: the stream ends
        // with what it has, and the next operation edits the message to the final text.
        const content = op.content.markdown.startsWith(part.appended) ? op.content : { markdown: part.appended };
        await platform.streaming?.stop(
          part.ref as MessageRef,
          { markdownDelta: content.markdown.slice(part.appended.length), content, ...(op.tasks ? { tasks: op.tasks } : {}) },
          {
            ...(this.control ? { placeholder: this.control } : {}),
            ...(this.keyTurnId !== undefined ? { key: { turnId: this.keyTurnId, part: op.index } } : {}),
          },
        );
        noteTasks(part, op.tasks);
        this.control = null;
        part.mode = "edit";
        part.appended = "";
        part.shown = content;
        return undefined;
      }
      case "status": {
        await platform.assistant?.setStatus(target, statusLineOf(op.content));
        (this.parts[0] as ShownPart).shown = op.content;
        return undefined;
      }
      case "delete": {
        const part = this.parts[op.index] as ShownPart;
        if (platform.deleteMessage && part.ref) await platform.deleteMessage(part.ref);
        else if (part.ref) await platform.editMessage(part.ref, { markdown: "…" });
        this.parts.splice(op.index, 1);
        return undefined;
      }
    }
  }

  /**
   * Posts `content` as a new message that takes the place of part `index` (the last one), whose own call (edit or
   * stop) has no budget left. Resolves with the new message and the ones it retires: the old part and, for a
   * native stream, the placeholder that carried its buttons. Nothing is recorded unless the post succeeded.
   */
  async repost(index: number, content: MessageContent): Promise<{ readonly ref: MessageRef; readonly retired: readonly MessageRef[] }> {
    const key = this.keyTurnId === undefined ? undefined : { turnId: this.keyTurnId, part: REPOSTED_PART + index };
    let ref: MessageRef;
    try {
      ref = await this.platform.postMessage(this.target, content, key ? { key } : {});
    } catch (err) {
      // A post that failed without an answer (a timeout) may still have landed: adopt it if it is in the thread.
      const find = this.platform.findPostedMessages?.bind(this.platform);
      const landed = key && find ? (await find(this.target, key.turnId).catch(() => [])).find((p) => p.key.part === key.part) : undefined;
      if (!landed) throw err;
      ref = landed.ref;
    }
    const old = this.parts[index] as ShownPart;
    const retired = [old.ref, old.mode === "native" ? this.control : null].filter((r): r is MessageRef => r !== null);
    if (old.mode === "native") this.control = null;
    this.parts[index] = { ref, shown: content, mode: "edit", appended: "" };
    return { ref, retired };
  }

  /** The native stream is gone (expired, or stopped elsewhere): its message is an ordinary one now; edit it. */
  endStream(index: number): void {
    const part = this.parts[index];
    if (part) {
      part.mode = "edit";
      part.shown = { markdown: part.appended };
      part.appended = "";
    }
    this.control = null;
  }

  /** The thread's status line was refused: the next operation posts a message in its place. */
  leaveStatusLine(): void {
    const part = this.parts[0];
    if (part?.mode === "status") part.mode = "edit";
  }

  /** Someone deleted the message: the next operation posts it again. */
  forgetMessage(index: number): void {
    const part = this.parts[index];
    if (part) part.ref = null;
  }

  /** An edit given up on: treated as shown, so the reply moves on. */
  markShown(index: number, content: MessageContent): void {
    const part = this.parts[index];
    if (part) part.shown = content;
  }

  /** A delete given up on: the message is no longer part of the reply. */
  drop(index: number): void {
    this.parts.splice(index, 1);
  }
}
