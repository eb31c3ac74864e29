import type { WebClient } from "@slack/web-api";
import type { MessageRef, OutboundFile, ReplyTarget } from "../../src/contracts/messages.js";
import { assertUploadsFit } from "../shared/upload-limit.js";
import { callSlack } from "./errors.js";

interface CompletedFile {
  readonly id?: string;
  readonly shares?: Record<string, Record<string, ReadonlyArray<{ ts?: string }>> | undefined>;
}

function shareTs(file: CompletedFile, channelId: string): string | undefined {
  for (const scope of ["public", "private"] as const) {
    const ts = file.shares?.[scope]?.[channelId]?.[0]?.ts;
    if (ts) return ts;
  }
  return undefined;
}

/**
 * Uploads files into the reply thread with files.uploadV2 (getUploadURLExternal → upload → completeUploadExternal).
 * Each returned ref is the message that shares the file when Slack reports it in `shares`; Slack may share files
 * asynchronously, and then the ref carries the file id instead (good enough to name the file, not to edit it).
 */
export async function uploadFiles(client: WebClient, target: ReplyTarget, files: readonly OutboundFile[], maxUploadBytes: number): Promise<MessageRef[]> {
  if (files.length === 0) return [];
  assertUploadsFit("slack", files, maxUploadBytes);
  const res = await callSlack("files.uploadV2", () =>
    client.files.uploadV2({
      channel_id: target.channelId,
      ...(target.threadId !== undefined ? { thread_ts: target.threadId } : {}),
      file_uploads: files.map((f) => ({ file: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength), filename: f.name, title: f.name })),
    } as Parameters<WebClient["files"]["uploadV2"]>[0]),
  );
  const completions = ((res as { files?: ReadonlyArray<{ files?: readonly CompletedFile[] }> }).files ?? []).flatMap((c) => c.files ?? []);
  const refs: MessageRef[] = [];
  const seen = new Set<string>();
  for (const file of completions) {
    const id = shareTs(file, target.channelId) ?? file.id;
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    refs.push({
      platform: "slack",
      workspaceId: target.workspaceId,
      channelId: target.channelId,
      messageId: id,
      ...(target.threadId !== undefined ? { threadId: target.threadId } : {}),
    });
  }
  return refs;
}
