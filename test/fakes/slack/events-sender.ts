import { createHmac } from "node:crypto";

export interface SignedResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Headers;
}

export interface SendOptions {
  /** Sent as X-Slack-Retry-Num (with X-Slack-Retry-Reason), as Slack does on redelivery. */
  readonly retryNum?: number;
  readonly retryReason?: string;
  /** Unix seconds; default now. */
  readonly timestamp?: number;
  /** Sign with this secret instead (to test rejection). */
  readonly signingSecret?: string;
}

/** Slack's request signature: v0=HMAC-SHA256(secret, "v0:<timestamp>:<raw body>"). */
export function signSlackRequest(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
}

/**
 * Posts to an Events API endpoint the way Slack does: signed JSON for events, signed `payload=` forms for
 * interactions, and redeliveries with X-Slack-Retry-Num.
 */
export class SlackEventsSender {
  readonly sent: Array<{ readonly kind: "event" | "interaction" | "command"; readonly retryNum?: number; readonly status: number }> = [];

  constructor(
    private readonly eventsUrl: string,
    private readonly signingSecret: string,
  ) {}

  /** POSTs an Events API body (an `event_callback` envelope, or `url_verification`). */
  async sendEvent(body: unknown, opts: SendOptions = {}): Promise<SignedResponse> {
    const res = await this.post(JSON.stringify(body), "application/json", opts);
    this.sent.push({ kind: "event", ...(opts.retryNum !== undefined ? { retryNum: opts.retryNum } : {}), status: res.status });
    return res;
  }

  /** POSTs an interaction payload (block_actions …) as Slack does: `payload=<urlencoded JSON>`. */
  async sendInteraction(payload: unknown, opts: SendOptions = {}): Promise<SignedResponse> {
    const form = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const res = await this.post(form, "application/x-www-form-urlencoded", opts);
    this.sent.push({ kind: "interaction", status: res.status });
    return res;
  }

  /** POSTs a slash command as Slack does: its fields form-encoded (not wrapped in `payload=`), signed. */
  async sendCommand(fields: Record<string, string>, opts: SendOptions = {}): Promise<SignedResponse> {
    const res = await this.post(new URLSearchParams(fields).toString(), "application/x-www-form-urlencoded", opts);
    this.sent.push({ kind: "command", status: res.status });
    return res;
  }

  private async post(rawBody: string, contentType: string, opts: SendOptions): Promise<SignedResponse> {
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      "content-type": contentType,
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signSlackRequest(opts.signingSecret ?? this.signingSecret, timestamp, rawBody),
    };
    if (opts.retryNum !== undefined) {
      headers["x-slack-retry-num"] = String(opts.retryNum);
      headers["x-slack-retry-reason"] = opts.retryReason ?? "http_error";
    }
    const res = await fetch(this.eventsUrl, { method: "POST", headers, body: rawBody });
    return { status: res.status, body: await res.text(), headers: res.headers };
  }
}
