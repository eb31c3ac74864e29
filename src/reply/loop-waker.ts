/**
 * Pauses the streamer's loop and wakes it early. A pause for a slot (a routine interval, a budget slot, a 429
 * block) is not ended by new text: waking the loop on every token would lay the reply out once per token
 * instead of once per update. Only `poke` from `finish` or `close` (or the timer) ends it.
 */
export class LoopWaker {
  private wake: (() => void) | undefined;
  private forSlot = false;

  /** The loop is paused until a slot frees; new text alone should not wake it. */
  get isWaitingForSlot(): boolean {
    return this.forSlot;
  }

  /** Ends the current pause, if any. */
  poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  pause(ms: number): Promise<void> {
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

  async pauseForSlot(ms: number): Promise<void> {
    this.forSlot = true;
    try {
      await this.pause(ms);
    } finally {
      this.forSlot = false;
    }
  }
}
