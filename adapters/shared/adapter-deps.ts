import type { PlatformDeps } from "../../src/contracts/platform-module.js";
import type { SafeDownloadOptions } from "./safe-downloader.js";

/** What every adapter factory takes besides its config: the contract's deps plus the shared kit's settings. */
export interface AdapterDeps extends PlatformDeps {
  /** Attachment downloads (lookup, timeouts). @defaultValue production settings, see `SafeDownloadOptions` */
  readonly download?: SafeDownloadOptions;
}
