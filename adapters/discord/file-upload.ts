import { type APIMessage, type REST, Routes } from "discord.js";
import type { MessageRef, OutboundFile, ReplyTarget } from "../../src/contracts/messages.js";
import { assertUploadsFit } from "../shared/upload-limit.js";
import { translateDiscordError } from "./errors.js";
import { DISCORD_LIMITS } from "./limits.js";
import { messageRef } from "./message-operations.js";
import type { ThreadStarter } from "./thread-starter.js";

/**
 * Sends files as message attachments (multipart: payload_json + files[n]) into the conversation, grouped up
 * to 10 per message and `maxUploadBytes` per request.
 */
export async function uploadFiles(
  rest: REST,
  threads: ThreadStarter,
  target: ReplyTarget,
  files: readonly OutboundFile[],
  maxUploadBytes: number,
): Promise<readonly MessageRef[]> {
  if (files.length === 0) return [];
  assertUploadsFit("discord", files, maxUploadBytes);
  const dest = await threads.resolve(target);
  const refs: MessageRef[] = [];
  for (const batch of batches(files, maxUploadBytes)) {
    const body = {
      attachments: batch.map((f, i) => ({ id: i, filename: safeFileName(f.name) })),
      allowed_mentions: { parse: [] },
      ...(dest.replyToMessageId && { message_reference: { message_id: dest.replyToMessageId, fail_if_not_exists: false } }),
    };
    const payloadFiles = batch.map((f) => ({ name: safeFileName(f.name), data: Buffer.from(f.data), contentType: f.mimeType }));
    try {
      const msg = (await rest.post(Routes.channelMessages(dest.channelId), { body, files: payloadFiles })) as APIMessage;
      refs.push(messageRef(target, msg));
    } catch (err) {
      throw translateDiscordError(err, { action: "upload files", permission: "Attach Files" });
    }
  }
  return refs;
}

function batches(files: readonly OutboundFile[], maxBytes: number): OutboundFile[][] {
  const out: OutboundFile[][] = [];
  let current: OutboundFile[] = [];
  let size = 0;
  for (const f of files) {
    if (current.length === DISCORD_LIMITS.filesPerMessage || (current.length > 0 && size + f.data.byteLength > maxBytes)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(f);
    size += f.data.byteLength;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Discord shows the name as given; keep it a plain name (no path) and non-empty. */
function safeFileName(name: string): string {
  const base =
    name
      .split(/[\\/]/)
      .pop()
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips from file names.
      ?.replace(/[\u0000-\u001f]/g, "")
      .trim() ?? "";
  return base === "" ? "file" : base.slice(0, 200);
}
