import { createHash } from "node:crypto";
import type { Logger } from "../contracts/logger.js";
import { appKindLabel } from "../dify/app-kind.js";
import { DifyClient, type ProducedFileFetch } from "../dify/dify-client.js";
import { ParametersCache } from "../dify/parameters-cache.js";
import { ConcurrencyCap } from "./concurrency-cap.js";
import { type RoutePlace, routeFor } from "./route-table.js";
import { DEFAULT_APP_ID, type DifyFileKind, type RouteRule, type RoutesSpec } from "./routes-schema.js";

/** One Dify app as a turn uses it: its client, cached parameters and per-app options. */
export interface DifyApp {
  readonly id: string;
  readonly dify: DifyClient;
  readonly params: ParametersCache;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly showProgress: boolean;
  readonly showReasoning: boolean;
  /** Overrides the platform's native streaming choice for this app's answers. */
  readonly streaming?: "auto" | "edit" | "native";
  /** Dify file kinds this app is sent; unset = whatever its parameters accept. */
  readonly fileTypes?: readonly DifyFileKind[];
  /** Unset = no cap beyond the worker's concurrency. */
  readonly cap?: ConcurrencyCap;
  /** Workflow / Text Generator apps: the input variable that takes the question (unset: the first text input). */
  readonly queryInput?: string;
  /** Workflow apps: the output shown as the answer (unset: the streamed text, else the only text output). */
  readonly answerOutput?: string;
}

export interface DefaultAppSettings {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly showProgress: boolean;
  readonly showReasoning: boolean;
  readonly idleTimeoutMs: number;
  readonly queryInput?: string | undefined;
  readonly answerOutput?: string | undefined;
  /** How an app at `apiUrl` fetches the files it produced (the composition root knows the download rules). */
  readonly fileFetchFor?: (apiUrl: string) => ProducedFileFetch;
}

/**
 * The apps and routes in force. `replace` swaps both at once (a reload); an app whose definition did not
 * change keeps its object (client, parameters cache, concurrency cap), and turns already running hold their
 * app object, so a reload never disturbs an answer in flight.
 */
export class AppDirectory {
  private apps = new Map<string, { readonly app: DifyApp; readonly signature: string }>();
  private rules: readonly RouteRule[] = [];

  constructor(
    private readonly defaults: DefaultAppSettings,
    private readonly logger: Logger,
  ) {
    const fallback = this.build(
      { id: DEFAULT_APP_ID, url: defaults.apiUrl, apiKey: defaults.apiKey, keyEnv: "DIFY_API_KEY" },
      {
        inputs: defaults.inputs,
        showProgress: defaults.showProgress,
        showReasoning: defaults.showReasoning,
        ...(defaults.queryInput ? { queryInput: defaults.queryInput } : {}),
        ...(defaults.answerOutput ? { answerOutput: defaults.answerOutput } : {}),
      },
    );
    this.apps.set(DEFAULT_APP_ID, fallback);
  }

  /** Every app id in force, the default first: the bounded label set of per-app metrics. */
  get ids(): readonly string[] {
    return [...this.apps.keys()];
  }

  get defaultApp(): DifyApp {
    return (this.apps.get(DEFAULT_APP_ID) as { app: DifyApp }).app;
  }

  get all(): readonly DifyApp[] {
    return [...this.apps.values()].map((e) => e.app);
  }

  replace(spec: RoutesSpec): void {
    const next = new Map([[DEFAULT_APP_ID, this.apps.get(DEFAULT_APP_ID) as { app: DifyApp; signature: string }]]);
    for (const entry of spec.apps) {
      const built = this.build(
        { id: entry.id, url: entry.url ?? this.defaults.apiUrl, apiKey: entry.apiKey, keyEnv: entry.keyEnv },
        {
          inputs: entry.inputs ?? {},
          showProgress: entry.show_progress ?? this.defaults.showProgress,
          showReasoning: entry.show_reasoning ?? this.defaults.showReasoning,
          ...(entry.streaming ? { streaming: entry.streaming } : {}),
          ...(entry.file_types ? { fileTypes: entry.file_types } : {}),
          ...(entry.max_concurrent ? { maxConcurrent: entry.max_concurrent } : {}),
          ...(entry.query_input ? { queryInput: entry.query_input } : {}),
          ...(entry.answer_output ? { answerOutput: entry.answer_output } : {}),
        },
      );
      const current = this.apps.get(entry.id);
      next.set(entry.id, current && current.signature === built.signature ? current : built);
    }
    this.apps = next;
    this.rules = spec.routes;
  }

  /**
   * Asks every app in force for its type (GET /info, once per app client), so the log says at start and after
   * a reload which apps keep conversations and which answer each message as a run of its own.
   */
  detectTypes(): void {
    for (const app of this.all) {
      app.dify.appKind().then(
        (kind) =>
          this.logger.info(
            { app: app.id, kind },
            kind === "chat"
              ? "Dify app type: chat app (one conversation per thread)"
              : `Dify app type: ${appKindLabel(kind)} app (one run per message, no conversation)`,
          ),
        (err: unknown) => this.logger.warn({ err, app: app.id }, "could not read the Dify app type yet; asked again at the next question"),
      );
    }
  }

  /** The app that answers a new turn at `place` under the routes in force. */
  resolve(place: RoutePlace | null): DifyApp {
    const id = place ? routeFor(this.rules, place) : DEFAULT_APP_ID;
    return this.get(id) ?? this.defaultApp;
  }

  get(id: string | undefined): DifyApp | undefined {
    return this.apps.get(id ?? DEFAULT_APP_ID)?.app;
  }

  /** A metrics label for `id`: the app's own when it is in force, else "other" (a job from an older routes file). */
  label(id: string | undefined): string {
    return this.apps.has(id ?? DEFAULT_APP_ID) ? (id ?? DEFAULT_APP_ID) : "other";
  }

  private build(
    where: { id: string; url: string; apiKey: string; keyEnv: string },
    o: Omit<DifyApp, "id" | "dify" | "params" | "cap"> & { maxConcurrent?: number },
  ): { app: DifyApp; signature: string } {
    const log = this.logger.child({ component: "dify", app: where.id });
    const fetchFile = this.defaults.fileFetchFor?.(where.url);
    const dify = new DifyClient({
      baseUrl: where.url,
      apiKey: where.apiKey,
      idleTimeoutMs: this.defaults.idleTimeoutMs,
      logger: log,
      ...(fetchFile ? { fetchFile } : {}),
    });
    const { maxConcurrent, ...options } = o;
    const app: DifyApp = {
      id: where.id,
      dify,
      params: new ParametersCache(dify, log),
      ...options,
      ...(maxConcurrent ? { cap: new ConcurrencyCap(maxConcurrent) } : {}),
    };
    // A changed key is a changed app; a digest keeps the key itself out of the comparable string.
    const signature = JSON.stringify([where.url, where.keyEnv, createHash("sha256").update(where.apiKey).digest("hex"), o]);
    return { app, signature };
  }
}
