import type { Logger } from "../contracts/logger.js";

export interface ShutdownStep {
  readonly name: string;
  run(): Promise<void> | void;
}

/**
 * Ordered, idempotent shutdown: the first call runs every step in order, each in its own try/catch so one
 * failure does not skip the rest; later calls return the same promise.
 */
export function createShutdown(steps: readonly ShutdownStep[], logger: Logger): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= (async () => {
      for (const step of steps) {
        const started = Date.now();
        try {
          await step.run();
          logger.debug({ step: step.name, ms: Date.now() - started }, "shutdown step done");
        } catch (err) {
          logger.error({ err, step: step.name }, "shutdown step failed");
        }
      }
    })();
    return running;
  };
}
