import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "../../support/bridge-harness.js";
import type { LogEntry } from "../../support/capture-logger.js";

/** The key of the second fake Dify app ("support"); the default app keeps the fake's own key. */
export const SUPPORT_KEY = "app-supportTeamKey0002";

/** A routes file in a fresh directory, rewritten the way editors save (write a temp file, rename it over). */
export class RoutesFile {
  readonly path: string;
  private n = 0;

  constructor(initial: string) {
    this.path = join(mkdtempSync(join(tmpdir(), "routes-e2e-")), "routes.yml");
    writeFileSync(this.path, initial);
  }

  write(text: string): void {
    const tmp = `${this.path}.${this.n++}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.path);
  }
}

/** Waits for the bridge to log that the routes were reloaded, `after` lines in. */
export async function reloaded(logs: readonly LogEntry[], after: number): Promise<LogEntry> {
  return eventually(() => logs.slice(after).find((l) => typeof l.msg === "string" && l.msg.startsWith("routes reloaded")), 5_000);
}

/** The app ids in the routes file: "support" with its key and inputs, routed by `routes` lines. */
export function supportRoutes(routes: readonly string[]): string {
  return ["apps:", "  - id: support", "    key_env: DIFY_KEY_SUPPORT", "    inputs: { team: support }", "routes:", ...routes.map((r) => `  - ${r}`), ""].join(
    "\n",
  );
}
