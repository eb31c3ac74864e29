import { existsSync } from "node:fs";

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The process environment, after reading a `.env` file next to the service when there is one (real variables
 * win over it). The one place `process.env` is read: everything else gets the environment passed in.
 */
export function loadEnvironment(): Environment {
  if (existsSync(".env")) process.loadEnvFile(".env");
  return process.env;
}
