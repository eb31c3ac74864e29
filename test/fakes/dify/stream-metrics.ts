import type { FakeStream } from "./chat-turn.js";
import type { StreamRun } from "./stream-run.js";

/**
 * Book-keeping for chat turns: the running ones by task id, how many were open at once (overall and per
 * conversation, which is how tests prove the bridge serialises turns of one thread), and waiters.
 */
export class StreamMetrics {
  private readonly streams: StreamRun[] = [];
  private readonly byTask = new Map<string, StreamRun>();
  private readonly openByConversation = new Map<string, number>();
  private readonly maxByConversation = new Map<string, number>();
  private maxOverall = 0;
  private waiters: Array<{ match: (s: FakeStream) => boolean; resolve: (s: FakeStream) => void }> = [];

  get all(): readonly FakeStream[] {
    return this.streams;
  }

  get activeCount(): number {
    return this.byTask.size;
  }

  running(taskId: string): StreamRun | undefined {
    return this.byTask.get(taskId);
  }

  started(run: StreamRun): void {
    this.streams.push(run);
    this.byTask.set(run.taskId, run);
    const open = (this.openByConversation.get(run.conversationId) ?? 0) + 1;
    this.openByConversation.set(run.conversationId, open);
    this.maxByConversation.set(run.conversationId, Math.max(open, this.maxByConversation.get(run.conversationId) ?? 0));
    this.maxOverall = Math.max(this.maxOverall, this.byTask.size);
    const ready = this.waiters.filter((w) => w.match(run));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(run);
  }

  ended(run: StreamRun): void {
    this.byTask.delete(run.taskId);
    const open = (this.openByConversation.get(run.conversationId) ?? 1) - 1;
    if (open > 0) this.openByConversation.set(run.conversationId, open);
    else this.openByConversation.delete(run.conversationId);
  }

  maxConcurrent(conversationId?: string): number {
    return conversationId === undefined ? this.maxOverall : (this.maxByConversation.get(conversationId) ?? 0);
  }

  waitFor(match: (s: FakeStream) => boolean, timeoutMs: number): Promise<FakeStream> {
    const existing = this.streams.find(match);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (s: FakeStream) => {
          clearTimeout(timer);
          resolve(s);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`fake Dify: no matching chat stream within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Drops finished streams from the list (running ones stay); maxima restart from what is open now. */
  clearFinished(): void {
    const running = this.streams.filter((s) => this.byTask.has(s.taskId));
    this.streams.length = 0;
    this.streams.push(...running);
    this.maxByConversation.clear();
    for (const [id, open] of this.openByConversation) this.maxByConversation.set(id, open);
    this.maxOverall = this.byTask.size;
  }
}
