import { createRequire } from "node:module";
import pino from "pino";
import type { Logger } from "../contracts/logger.js";
import { createScrubber } from "./scrub.js";

export interface LoggerOptions {
  readonly level: string;
  readonly pretty: boolean;
  /** Configured secret values: replaced wherever they appear, whatever the key or message. */
  readonly secrets: readonly string[];
  readonly service?: string;
  /** Where to write (tests pass a stream to read the real output). Default: stdout. */
  readonly destination?: pino.DestinationStream;
}

export type BridgeLogger = Logger & { flush(): void };

export function createLogger(options: LoggerOptions): BridgeLogger {
  const scrubber = createScrubber(options.secrets);
  const pinoOptions: pino.LoggerOptions = {
    level: options.level,
    base: { service: options.service ?? "dify-bridge" },
    // Fast path for the common shapes; the scrubber below catches everything else.
    redact: {
      paths: ["*.token", "*.apiKey", "*.signingSecret", "headers.authorization", "*.headers.authorization"],
      censor: "[redacted]",
    },
    // The scrubber already turned errors into plain objects; pino's own err serializer would rename them.
    serializers: { err: (e: unknown) => e },
    formatters: {
      log: (obj) => scrubber.scrub(obj) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        // Fix: for `log.error(err)` pino copies err.message into `msg` itself, after `formatters.log` ran, so
        // a secret in the message leaked. Hand pino `{ err }` plus the message, which the next line scrubs.
        const first: unknown = args[0];
        const normalized = first instanceof Error && typeof args[1] !== "string" ? [{ err: first }, first.message] : args;
        const cleaned = normalized.map((a) => (typeof a === "string" ? scrubber.scrubString(a) : a));
        method.apply(this, cleaned as Parameters<typeof method>);
      },
    },
  };
  let root: pino.Logger;
  if (options.destination) root = pino(pinoOptions, options.destination);
  else if (options.pretty && hasPinoPretty()) root = pino({ ...pinoOptions, transport: { target: "pino-pretty", options: { colorize: true } } });
  else root = pino(pinoOptions);
  return wrap(root, scrubber.scrub);
}

/** pino passes child bindings through untouched, so they are scrubbed here before they reach it. */
function wrap(p: pino.Logger, scrub: (v: unknown) => unknown): BridgeLogger {
  return {
    child: (bindings) => wrap(p.child(scrub(bindings) as pino.Bindings), scrub),
    debug: (obj, msg) => p.debug(obj, msg),
    info: (obj, msg) => p.info(obj, msg),
    warn: (obj, msg) => p.warn(obj, msg),
    error: (obj, msg) => p.error(obj, msg),
    fatal: (obj, msg) => p.fatal(obj, msg),
    flush: () => p.flush(),
  };
}

function hasPinoPretty(): boolean {
  // pino-pretty is a dev dependency; production images log JSON.
  try {
    createRequire(import.meta.url).resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}
