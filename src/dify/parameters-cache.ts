import type { Logger } from "../contracts/logger.js";
import type { AppParameters } from "./app-parameters.js";
import type { DifyClient } from "./dify-client.js";

/**
 * The app's settings (file upload, speech-to-text, suggested questions) change rarely; every turn needs them.
 * Cached per process, refreshed in the background, and the last good copy is kept if Dify is briefly down.
 */
export class ParametersCache {
  private value: AppParameters | undefined;
  private fetchedAt = 0;
  private inflight: Promise<AppParameters> | undefined;

  constructor(
    private readonly dify: DifyClient,
    private readonly logger: Logger,
    private readonly maxAgeMs = 5 * 60 * 1000,
  ) {}

  async get(): Promise<AppParameters> {
    const fresh = this.value && Date.now() - this.fetchedAt < this.maxAgeMs;
    if (fresh && this.value) return this.value;
    if (this.value) {
      void this.refresh().catch((err: unknown) => this.logger.warn({ err }, "could not refresh Dify app parameters"));
      return this.value;
    }
    return this.refresh();
  }

  private refresh(): Promise<AppParameters> {
    this.inflight ??= this.dify
      .getParameters()
      .then((p) => {
        this.value = p;
        this.fetchedAt = Date.now();
        return p;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}
