import { PlatformValidationError } from "../contracts/errors.js";
import { DifyApiError } from "../dify/errors.js";
import { type DifyFileType, tooLargeReason } from "./dify-file-type.js";

/**
 * Why a file did not reach the assistant, in the asker's words (docs/dify-2026.md §4): too large (with the
 * app's limit for that kind of file), a type the app does not take, an extension the server blocks, too many.
 */
export function uploadFailureReason(err: unknown, type: DifyFileType, limitBytes: number, fileName: string): string {
  const tooLarge = tooLargeReason(type, limitBytes);
  if (err instanceof PlatformValidationError) {
    switch (err.reason) {
      case "too_large":
        return tooLarge;
      case "not_a_file":
        return "the bot is not allowed to download it: check its file permissions";
      case "blocked_host":
        return "it is not hosted by the chat platform";
      default:
        return "it could not be downloaded";
    }
  }
  if (!(err instanceof DifyApiError)) return "the upload to the assistant failed";
  const extension = fileName.includes(".") ? `.${fileName.split(".").pop()?.toLowerCase()}` : "this kind of file";
  switch (err.difyCode) {
    case "file_too_large":
      return tooLarge;
    case "unsupported_file_type":
      return `the assistant does not accept ${extension} files`;
    case "too_many_files":
      return "too many files at once for the assistant";
    case "invalid_param":
      if (/extension|not allowed|security/i.test(err.difyMessage ?? "")) return `${extension} files are blocked by the assistant's server`;
      if (/filename/i.test(err.difyMessage ?? "")) return "its name has characters the assistant does not accept";
      return "the assistant refused it";
  }
  if (err.status === 413) return tooLarge;
  if (err.status === 415) return `the assistant does not accept ${extension} files`;
  return "the upload to the assistant failed";
}
