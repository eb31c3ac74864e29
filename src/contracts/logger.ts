/**
 * The narrow logging port the core and adapters depend on. pino satisfies it; tests may pass a capturing logger.
 * Always object first, message second; errors go under `err`.
 */
export interface Logger {
  child(bindings: Record<string, unknown>): Logger;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  fatal(obj: object, msg?: string): void;
}
