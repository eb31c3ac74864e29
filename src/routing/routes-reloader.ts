import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import type { Logger } from "../contracts/logger.js";
import type { AppDirectory } from "./app-directory.js";
import { readRoutesFile } from "./routes-file.js";
import type { RoutesSpec } from "./routes-schema.js";

/** Editors write in bursts (truncate, write, rename): one reload once the file has been quiet this long. */
const SETTLE_MS = 150;

/**
 * Keeps the directory's routes equal to the file: read at start (a bad file fails the start), again whenever
 * the file changes or on `reload()` (SIGHUP). A bad file at reload keeps the routes in force and logs every
 * problem. The directory is watched rather than the file, so an editor that saves by renaming a new file over
 * the old one is still seen.
 */
export class RoutesReloader {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly env: Record<string, string | undefined>,
    private readonly apps: AppDirectory,
    private readonly logger: Logger,
  ) {}

  /** Reads the file for the start; the problems, when there are any. */
  load(): readonly string[] {
    const parsed = readRoutesFile(this.path, this.env);
    if (!parsed.ok) return parsed.issues;
    this.apply(parsed.value, "loaded");
    return [];
  }

  watch(): void {
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), (_event, file) => {
        if (file !== null && file !== name) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.reload("file changed"), SETTLE_MS);
      });
      this.watcher.on("error", (err) => this.logger.warn({ err, path: this.path }, "routes file watch failed; SIGHUP still reloads"));
    } catch (err) {
      this.logger.warn({ err, path: this.path }, "cannot watch the routes file; SIGHUP still reloads");
    }
  }

  /** True when the new routes are in force. */
  reload(reason: string): boolean {
    const parsed = readRoutesFile(this.path, this.env);
    if (!parsed.ok) {
      this.logger.error({ path: this.path, reason, problems: parsed.issues }, "routes file has errors; the routes in force are kept");
      return false;
    }
    this.apply(parsed.value, `reloaded (${reason})`);
    // Apps the reload added are asked for their type (the others already know theirs).
    this.apps.detectTypes();
    return true;
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  private apply(spec: RoutesSpec, what: string): void {
    this.apps.replace(spec);
    this.logger.info({ path: this.path, apps: this.apps.ids, routes: spec.routes.length }, `routes ${what}`);
  }
}
