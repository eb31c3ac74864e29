/**
 * At most `limit` holders at once, the rest wait in arrival order. One per Dify app and process: a busy app's
 * answers queue here (each still holds its BullMQ slot, of which a worker has many) instead of taking Dify's
 * own concurrency limit to 429s, while answers for the other apps go straight through.
 */
export class ConcurrencyCap {
  private held = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get active(): number {
    return this.held;
  }

  /** Resolves with the release function once a slot is free; an aborted wait takes no slot. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.held < this.limit) return Promise.resolve(this.grant());
    return new Promise((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(this.grant());
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(wake);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(wake);
    });
  }

  private grant(): () => void {
    this.held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      this.waiting.shift()?.();
    };
  }
}
