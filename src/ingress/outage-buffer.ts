import type { ChatPlatform, InboundEvent } from "../contracts/chat-platform.js";
import type { Logger } from "../contracts/logger.js";
import type { ReplyTarget } from "../contracts/messages.js";
import type { BridgeMetrics } from "../observability/metrics.js";

export interface OutageBufferOptions {
  /** Events held at most (across platforms); 0 holds none. */
  readonly maxEvents: number;
  /** An event held longer than this is given up on. */
  readonly maxWaitMs: number;
  /** How often the oldest held event is offered again. @defaultValue 500 */
  readonly retryEveryMs?: number;
  readonly metrics: BridgeMetrics;
  readonly logger: Logger;
}

interface Held {
  readonly platform: ChatPlatform;
  readonly event: InboundEvent;
  readonly since: number;
}

const COULD_NOT_TAKE_TEXT = "⚠️ Sorry, I could not take your message just now. Please send it again in a minute.";

/**
 * Events a platform will not send again (Discord's gateway) that could not be stored because Redis was away.
 * They wait here, in arrival order, and are offered again until Redis takes them (then they are answered like
 * any other); past `maxEvents` or `maxWaitMs` the person is told their message could not be taken. While
 * anything is held, newer events queue behind it, so a thread's messages keep their order. In-process only: a
 * restart loses what is held (as it would have been lost anyway).
 */
export class OutageBuffer {
  private readonly held: Held[] = [];
  private timer: NodeJS.Timeout | undefined;
  private draining = false;

  constructor(
    private readonly accept: (platform: ChatPlatform, event: InboundEvent) => Promise<void>,
    private readonly o: OutageBufferOptions,
  ) {}

  get size(): number {
    return this.held.length;
  }

  /** Hands the event to `accept`; when that fails (or older events wait), holds it instead of losing it. */
  async offer(platform: ChatPlatform, event: InboundEvent): Promise<void> {
    // Only counted, never stored: nothing to hold (and no order to keep).
    if (event.kind === "ignored") return this.accept(platform, event);
    if (this.held.length === 0) {
      try {
        return await this.accept(platform, event);
      } catch (err) {
        if (this.o.maxEvents === 0) throw err;
        this.o.logger.warn({ err, platform: platform.id, kind: event.kind }, "event could not be stored; holding it until Redis is back");
      }
    }
    this.hold(platform, event);
  }

  /** Stops retrying; what is still held is given up on, and the people are told. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const left = this.held.splice(0);
    this.gauge();
    await Promise.all(left.map((h) => this.giveUp(h, "shutdown")));
  }

  private hold(platform: ChatPlatform, event: InboundEvent): void {
    if (this.held.length >= this.o.maxEvents) {
      void this.giveUp({ platform, event, since: Date.now() }, "buffer_full");
      return;
    }
    this.held.push({ platform, event, since: Date.now() });
    this.o.metrics.eventsHeld.labels(platform.id).inc();
    this.gauge();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.held.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, this.o.retryEveryMs ?? 500);
    this.timer.unref();
  }

  /** Offers the held events again, oldest first, until one is refused (Redis still away) or none is left. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.held.length > 0) {
        const next = this.held[0] as Held;
        if (Date.now() - next.since > this.o.maxWaitMs) {
          this.held.shift();
          await this.giveUp(next, "waited_too_long");
          continue;
        }
        try {
          await this.accept(next.platform, next.event);
        } catch {
          break;
        }
        this.held.shift();
        this.o.logger.info({ platform: next.platform.id, kind: next.event.kind, heldMs: Date.now() - next.since }, "held event stored");
      }
    } finally {
      this.draining = false;
      this.gauge();
      this.schedule();
    }
  }

  /**
   * Tells the person, with a plain post: the rate budgets live in Redis, which is away. Only a message or a click
   * has someone waiting for an answer; reactions and the rest are only counted.
   */
  private async giveUp(h: Held, reason: "buffer_full" | "waited_too_long" | "shutdown"): Promise<void> {
    this.o.metrics.eventsDropped.labels(h.platform.id, reason).inc();
    this.o.logger.error({ platform: h.platform.id, kind: h.event.kind, reason, heldMs: Date.now() - h.since }, "held event given up on");
    const target = targetOf(h.event);
    if (!target) return;
    await h.platform
      .postMessage(target, { markdown: COULD_NOT_TAKE_TEXT })
      .catch((err: unknown) => this.o.logger.warn({ err }, "could not tell the person their message was not taken"));
  }

  private gauge(): void {
    const counts = new Map<string, number>();
    for (const h of this.held) counts.set(h.platform.id, (counts.get(h.platform.id) ?? 0) + 1);
    this.o.metrics.eventsHeldNow.reset();
    for (const [platform, n] of counts) this.o.metrics.eventsHeldNow.labels(platform).set(n);
  }
}

/** Where to say so, when someone asked the bot something; never to people who were not talking to it. */
function targetOf(event: InboundEvent): ReplyTarget | undefined {
  if (event.kind === "message") return event.message.mentionsBot || event.message.isDirectMessage ? event.message.replyTarget : undefined;
  if (event.kind === "action") return event.action.replyTarget;
  return undefined;
}
