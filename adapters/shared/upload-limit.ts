import { PlatformValidationError } from "../../src/contracts/errors.js";
import type { OutboundFile, PlatformId } from "../../src/contracts/messages.js";

/** Every file is checked before anything is sent, so a too-large file fails the whole call and posts nothing. */
export function assertUploadsFit(platform: PlatformId, files: readonly OutboundFile[], maxUploadBytes: number): void {
  for (const f of files) {
    if (f.data.byteLength > maxUploadBytes) {
      throw new PlatformValidationError(platform, "too_large", `a file of ${f.data.byteLength} bytes exceeds the ${maxUploadBytes}-byte upload limit`);
    }
  }
}
