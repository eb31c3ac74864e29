/**
 * `ChatPlatform.start()` as every adapter implements it: concurrent calls share one promise, which settles
 * only once the adapter is fully started (gateway or socket connected); after a success every later call gets
 * that settled promise; after a failure (bad token, platform down) the next call tries again.
 */
export class StartOnce {
  #running: Promise<void> | undefined;

  run(start: () => Promise<void>): Promise<void> {
    this.#running ??= start().catch((err: unknown) => {
      this.#running = undefined;
      throw err;
    });
    return this.#running;
  }
}
