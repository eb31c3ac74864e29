import type { Logger } from "../../src/contracts/logger.js";

export interface LogEntry {
  readonly level: "debug" | "info" | "warn" | "error" | "fatal";
  readonly msg: string | undefined;
  readonly obj: Record<string, unknown>;
}

/** A Logger that keeps entries in memory, so tests can assert what was logged. */
export function captureLogger(entries: LogEntry[] = [], bindings: Record<string, unknown> = {}): Logger & { entries: LogEntry[] } {
  const at =
    (level: LogEntry["level"]) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, msg, obj: { ...bindings, ...(obj as Record<string, unknown>) } });
    };
  return {
    entries,
    child: (more) => captureLogger(entries, { ...bindings, ...more }),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    fatal: at("fatal"),
  };
}
