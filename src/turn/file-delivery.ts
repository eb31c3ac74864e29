import type { Logger } from "../contracts/logger.js";
import type { MessageRef, OutboundFile, ReplyTarget } from "../contracts/messages.js";
import type { DifyClient } from "../dify/dify-client.js";
import type { DifyFile } from "../dify/events.js";
import type { PlatformRoute } from "../gateway/platform-route.js";

/** At most this many produced files are attached to one answer. */
const MAX_FILES = 10;

/**
 * Files the app produced (images from tools, Chatflow outputs) go into the thread. Their URLs are often
 * relative (`/files/tools/...`, resolved against the Dify origin) and signed for ~5 minutes, so they are
 * fetched right after the answer ends.
 */
export async function deliverDifyFiles(
  files: readonly DifyFile[],
  deps: { dify: DifyClient; route: PlatformRoute; target: ReplyTarget; logger: Logger },
): Promise<{ refs: readonly MessageRef[]; failed: string | undefined }> {
  if (files.length === 0) return { refs: [], failed: undefined };
  const platform = deps.route.platform;
  const maxBytes = platform.capabilities.maxUploadBytes;
  const downloaded: OutboundFile[] = [];
  let failures = 0;
  for (const f of files.slice(0, MAX_FILES)) {
    try {
      const got = await deps.dify.downloadFile(f.url, { maxBytes });
      downloaded.push({ name: f.filename ?? got.name, mimeType: f.mimeType ?? got.mimeType, data: got.data });
    } catch (err) {
      failures++;
      deps.logger.warn({ err, file: f.filename ?? f.id }, "could not fetch a file produced by Dify");
    }
  }
  let refs: readonly MessageRef[] = [];
  if (downloaded.length) {
    try {
      // One try past 429s: an upload that failed halfway may already be in the thread.
      refs = await deps.route.mustLand("post", () => platform.attachFiles(deps.target, downloaded), { attempts: 1 });
    } catch (err) {
      failures += downloaded.length;
      deps.logger.warn({ err }, "could not attach files produced by Dify");
    }
  }
  return { refs, failed: failures ? `⚠️ ${failures} file(s) produced by the assistant could not be attached.` : undefined };
}
