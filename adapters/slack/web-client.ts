import { WebClient } from "@slack/web-api";
import type { Logger } from "../../src/contracts/logger.js";
import type { SlackConfig } from "./config.js";
import { toSlackSdkLogger } from "./slack-logger.js";

/** Per-request timeout: a hung call must not hold a streaming reply forever; the core retries instead. */
const SLACK_REQUEST_TIMEOUT_MS = 15_000;

/**
 * The Web API client for every outbound call. A 429 is thrown at once (`rejectRateLimitedCalls`) instead of
 * pausing the whole queue, and nothing is retried here: the core's limiter and queue own pacing and retries,
 * and a silently repeated chat.postMessage would double-post.
 */
export function createSlackWebClient(config: Pick<SlackConfig, "botToken" | "apiUrl">, logger: Logger): WebClient {
  return new WebClient(config.botToken, {
    slackApiUrl: `${config.apiUrl}/`,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: SLACK_REQUEST_TIMEOUT_MS,
    logger: toSlackSdkLogger(logger, "slack-web-api"),
  });
}
