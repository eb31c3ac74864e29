import { HTTPReceiver } from "@slack/bolt";
import type { HttpRoute } from "../../src/contracts/chat-platform.js";
import type { Logger } from "../../src/contracts/logger.js";
import { toSlackSdkLogger } from "./slack-logger.js";

/**
 * Slack's replay window: a signed request dated further than this from the local clock, in either direction,
 * is refused. Bolt only refuses stale ones; a request dated in the future would otherwise stay replayable
 * until that future is five minutes past.
 */
const MAX_REQUEST_SKEW_SEC = 5 * 60;

/** @internal Exported so the manifest test checks the app manifest points at it. */
export const SLACK_EVENTS_PATH = "/slack/events";

export interface SlackHttpIngress {
  readonly receiver: HTTPReceiver;
  readonly route: HttpRoute;
  /** After this the route answers 503, so Slack retries (another instance, or this one after a restart). */
  close(): void;
}

/**
 * Bolt's HTTPReceiver without its own server: the bridge's HTTP server mounts `route` next to /healthz.
 * `processBeforeResponse` makes Bolt answer only after the listeners (and so the sink) have finished; when they
 * fail, Slack gets a 500 and redelivers the event (Events API retries up to 3 times).
 */
export function createSlackHttpIngress(signingSecret: string, logger: Logger): SlackHttpIngress {
  let isClosed = false;
  const receiver = new HTTPReceiver({
    signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    processBeforeResponse: true,
    logger: toSlackSdkLogger(logger, "slack-http-receiver"),
    processEventErrorHandler: async ({ error, response }) => {
      logger.warn({ platform: "slack", err: error }, "Slack event not acknowledged (it will be redelivered): handing it to the queue failed");
      if (!response.headersSent) {
        response.writeHead(500);
        response.end();
      }
      return false;
    },
  });
  const route: HttpRoute = {
    method: "POST",
    path: SLACK_EVENTS_PATH,
    handle(req, res) {
      if (isClosed) {
        res.writeHead(503, { "retry-after": "1" });
        res.end();
        return;
      }
      const timestamp = Number(req.headers["x-slack-request-timestamp"]);
      if (Number.isFinite(timestamp) && timestamp - Date.now() / 1000 > MAX_REQUEST_SKEW_SEC) {
        logger.warn({ platform: "slack", skewSec: Math.round(timestamp - Date.now() / 1000) }, "Slack request refused: dated in the future");
        req.resume();
        res.writeHead(401);
        res.end();
        return;
      }
      try {
        receiver.requestListener(req, res);
      } catch (err) {
        // Only reached for paths the receiver does not serve, i.e. when the route is mounted elsewhere.
        logger.warn({ platform: "slack", err }, "request outside the Slack events path");
        if (!res.headersSent) {
          res.writeHead(404);
          res.end();
        }
      }
    },
  };
  return {
    receiver,
    route,
    close() {
      isClosed = true;
    },
  };
}
