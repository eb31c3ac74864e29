import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import { SocketModeClient } from "@slack/socket-mode";
import type { Logger } from "../../src/contracts/logger.js";
import { toSlackSdkLogger } from "./slack-logger.js";

export interface AckAfterSinkSocketReceiverOptions {
  readonly appToken: string;
  /** Web API base with a trailing slash, for apps.connections.open. */
  readonly slackApiUrl: string;
  readonly logger: Logger;
  /** Called when the connection goes up or down (readiness). */
  readonly onConnectionChange?: (isConnected: boolean) => void;
}

interface SlackEventArgs {
  readonly ack: (response?: Record<string, unknown>) => Promise<void>;
  readonly type: string;
  readonly body: Record<string, unknown>;
  readonly retry_num?: number;
  readonly retry_reason?: string;
}

/**
 * A Socket Mode receiver that acknowledges Events API envelopes only after Bolt's listeners (and so the sink)
 * have finished. Bolt's own SocketModeReceiver acks events before the listeners run, which would lose the
 * message if the enqueue then failed; without an ack, Slack redelivers the envelope. Interactive envelopes
 * are acknowledged when the listener calls `ack()`, as usual.
 */
export class AckAfterSinkSocketReceiver implements Receiver {
  readonly client: SocketModeClient;
  private app: App | undefined;

  constructor(private readonly options: AckAfterSinkSocketReceiverOptions) {
    this.client = new SocketModeClient({
      appToken: options.appToken,
      logger: toSlackSdkLogger(options.logger, "slack-socket-mode"),
      // A few quick retries cover a reconnect racing a Slack hiccup; the client reconnects on its own after that.
      clientOptions: { slackApiUrl: options.slackApiUrl, retryConfig: { retries: 3, factor: 1.5, minTimeout: 200 } },
    });
    this.client.on("connected", () => options.onConnectionChange?.(true));
    this.client.on("disconnected", () => options.onConnectionChange?.(false));
    this.client.on("reconnecting", () => options.onConnectionChange?.(false));
    this.client.on("slack_event", (args: SlackEventArgs) => {
      void this.dispatch(args);
    });
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {
    await this.client.start();
  }

  async stop(): Promise<void> {
    await this.client.disconnect();
  }

  private async dispatch(args: SlackEventArgs): Promise<void> {
    const isEvent = args.type === "events_api";
    let isAcked = false;
    let stored: Record<string, unknown> | undefined;
    const event: ReceiverEvent = {
      body: args.body,
      retryNum: args.retry_num,
      retryReason: args.retry_reason,
      ack: async (response?: unknown) => {
        if (isAcked) return;
        isAcked = true;
        const body = typeof response === "object" && response !== null ? (response as Record<string, unknown>) : undefined;
        if (isEvent) stored = body;
        else await args.ack(body);
      },
    };
    try {
      await this.app?.processEvent(event);
    } catch (err) {
      this.options.logger.warn(
        { platform: "slack", err, envelopeType: args.type, retryNum: args.retry_num },
        isEvent
          ? "Slack event not acknowledged (it will be redelivered): handing it to the queue failed"
          : "Slack interaction failed after it was acknowledged",
      );
      return;
    }
    try {
      // Events are acked here, after the sink; anything no listener acknowledged is acked too (nothing to retry).
      if (isEvent || !isAcked) await args.ack(stored);
    } catch (err) {
      this.options.logger.warn({ platform: "slack", err }, "Slack Socket Mode ack failed (the event may be redelivered)");
    }
  }
}
