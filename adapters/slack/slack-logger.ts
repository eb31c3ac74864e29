import { LogLevel, type Logger as SlackSdkLogger } from "@slack/logger";
import type { Logger } from "../../src/contracts/logger.js";

const ORDER: readonly LogLevel[] = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];

function describe(parts: unknown[]): { msg: string; err?: unknown } {
  const err = parts.find((p) => p instanceof Error);
  const msg = parts
    .filter((p) => !(p instanceof Error))
    .map((p) => (typeof p === "string" ? p : JSON.stringify(p)))
    .join(" ");
  return err === undefined ? { msg } : { msg, err };
}

/**
 * Bolt, the WebClient and the Socket Mode client log through @slack/logger's interface; this sends their lines
 * to the injected Logger (which redacts secrets) instead of the console. Their chatty info lines (connection
 * churn) go to debug; warnings and errors keep their level.
 */
export function toSlackSdkLogger(logger: Logger, name = "slack-sdk", initialLevel: LogLevel = LogLevel.INFO): SlackSdkLogger {
  // INFO by default: the SDKs' debug lines include raw payloads (message text) and request dumps.
  let level: LogLevel = initialLevel;
  let component = name;
  const enabled = (l: LogLevel) => ORDER.indexOf(l) >= ORDER.indexOf(level);
  return {
    debug: (...parts: unknown[]) => {
      if (!enabled(LogLevel.DEBUG)) return;
      const { msg, err } = describe(parts);
      logger.debug({ component, ...(err ? { err } : {}) }, msg);
    },
    info: (...parts: unknown[]) => {
      if (!enabled(LogLevel.INFO)) return;
      const { msg, err } = describe(parts);
      logger.debug({ component, ...(err ? { err } : {}) }, msg);
    },
    warn: (...parts: unknown[]) => {
      if (!enabled(LogLevel.WARN)) return;
      const { msg, err } = describe(parts);
      logger.warn({ component, ...(err ? { err } : {}) }, msg);
    },
    error: (...parts: unknown[]) => {
      if (!enabled(LogLevel.ERROR)) return;
      const { msg, err } = describe(parts);
      logger.error({ component, ...(err ? { err } : {}) }, msg);
    },
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n: string) => {
      component = n;
    },
  };
}
