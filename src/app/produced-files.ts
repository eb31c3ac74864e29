import type { DownloadFailures } from "../../adapters/shared/download-policy.js";
import { createSafeFetcher, type SafeDownloadOptions } from "../../adapters/shared/safe-downloader.js";
import type { ProducedFileFetch } from "../dify/dify-client.js";
import { DifyConnectionError, DifyPayloadTooLargeError } from "../dify/errors.js";

/** Where Dify serves the files its apps produce. */
export interface DifyFileOrigins {
  /** DIFY_API_URL: relative file URLs resolve against its origin. */
  readonly apiUrl: string;
  /** DIFY_FILES_URL: the host Dify signs file URLs for (its FILES_URL), when it is not the API host. */
  readonly filesUrl?: string | undefined;
}

const failures: DownloadFailures = {
  blocked: (message) => new DifyConnectionError(`produced file refused: ${message}`),
  tooLarge: (maxBytes) => new DifyPayloadTooLargeError({ status: 413, difyCode: undefined, difyMessage: `file larger than ${maxBytes} bytes` }),
  invalid: (message) => new DifyConnectionError(`produced file refused: ${message}`),
  notAFile: (message) => new DifyConnectionError(message),
  notFound: (message) => new DifyConnectionError(message),
  denied: () => new DifyConnectionError("produced file download: access denied"),
  failed: (message, cause) => new DifyConnectionError(message, cause === undefined ? undefined : { cause }),
};

/**
 * Files the app produced come from Dify and nowhere else. A `message_file` URL is model- and tool-controlled
 * text: pointed at an internal address it would make the bridge fetch that service and post its answer into
 * the chat. So only Dify's configured origins are fetched (exact scheme, host and port; they may be private,
 * as Dify often is), redirects may only lead back to them, and size and time are capped by the same
 * downloader attachments use. No credentials are sent: Dify signs these URLs.
 */
export function createProducedFileFetch(origins: DifyFileOrigins, options: SafeDownloadOptions = {}): ProducedFileFetch {
  const trusted = [origins.apiUrl, ...(origins.filesUrl !== undefined ? [origins.filesUrl] : [])];
  return createSafeFetcher({ label: "Dify", fileHosts: [], trustedOrigins: trusted, redirects: "file-hosts", failures }, options);
}
