import type { Redis } from "ioredis";
import type { Logger } from "../contracts/logger.js";
import type { RedisKeyBuilder } from "../state/redis-keys.js";

/** How long a stop request is remembered: longer than any answer waits in the queue. */
const STOP_TTL_MS = 60 * 60 * 1000;

/**
 * A Stop click may reach a different process than the one streaming the answer. The request is written to
 * Redis (so a turn that has not started yet, or a recovered job, sees it) and published, so the streaming
 * process reacts within milliseconds.
 */
export class StopCoordinator {
  private readonly local = new Map<string, () => void>();
  private readonly channel: string;
  private subscribed = false;

  constructor(
    private readonly redis: Redis,
    /** A dedicated connection in subscriber mode; null in processes that never stream (ingress only). */
    private readonly subscriber: Redis | null,
    private readonly key: RedisKeyBuilder,
    private readonly logger: Logger,
  ) {
    this.channel = key("stop", "_requests");
  }

  async start(): Promise<void> {
    if (!this.subscriber || this.subscribed) return;
    this.subscriber.on("message", (channel: string, turnId: string) => {
      if (channel === this.channel) this.local.get(turnId)?.();
    });
    await this.subscriber.subscribe(this.channel);
    this.subscribed = true;
  }

  /** While a turn streams in this process, `onStop` runs when anyone asks to stop it. */
  register(turnId: string, onStop: () => void): () => void {
    this.local.set(turnId, onStop);
    return () => {
      if (this.local.get(turnId) === onStop) this.local.delete(turnId);
    };
  }

  async requestStop(turnId: string): Promise<void> {
    await this.redis.set(this.key("stop", turnId), "1", "PX", STOP_TTL_MS);
    // Same process: no round trip through Redis needed.
    this.local.get(turnId)?.();
    await this.redis.publish(this.channel, turnId).catch((err: unknown) => this.logger.warn({ err }, "could not publish a stop request"));
  }

  async isStopRequested(turnId: string): Promise<boolean> {
    return (await this.redis.exists(this.key("stop", turnId))) === 1;
  }

  async close(): Promise<void> {
    this.local.clear();
    if (this.subscriber && this.subscribed) await this.subscriber.unsubscribe(this.channel).catch(() => undefined);
  }
}
