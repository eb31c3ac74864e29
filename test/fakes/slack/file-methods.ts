import type { FakeHostedFile } from "./file-registry.js";
import { fail, type MethodHandler, ok, required, str } from "./method-types.js";

/** What files.uploadV2 calls: getUploadURLExternal → POST to the upload URL → completeUploadExternal. */
export const fileMethods: Record<string, MethodHandler> = {
  "files.getUploadURLExternal": (ctx) => {
    const filename = required(ctx.fields, "filename");
    const length = Number(required(ctx.fields, "length"));
    if (!Number.isInteger(length) || length <= 0) fail("invalid_arguments", { missing: "length" });
    const id = ctx.files.nextId();
    ctx.files.put({
      id,
      name: filename,
      title: filename,
      mimetype: "application/octet-stream",
      data: Buffer.alloc(0),
      teamId: ctx.team.teamId,
      urlPrivateDownload: `${ctx.baseUrl}/files-pri/${ctx.team.teamId}-${id}/download/${encodeURIComponent(filename)}`,
      isUploaded: false,
      length,
    });
    return ok({ upload_url: `${ctx.baseUrl}/upload/v1/${id}`, file_id: id });
  },

  "files.completeUploadExternal": (ctx) => {
    const list = ctx.fields.files;
    if (!Array.isArray(list) || list.length === 0) return fail("invalid_arguments", { missing: "files" });
    const channel = str(ctx.fields, "channel_id");
    const threadTs = str(ctx.fields, "thread_ts");
    const completed: FakeHostedFile[] = list.map((entry: { id?: string; title?: string }) => {
      const file = entry.id === undefined ? undefined : ctx.files.get(entry.id);
      if (file === undefined || !file.isUploaded) return fail("file_not_found");
      return ctx.files.put({ ...file, title: entry.title ?? file.title });
    });
    let shareTs: string | undefined;
    if (channel !== undefined) {
      const initialComment = str(ctx.fields, "initial_comment") ?? "";
      const msg = ctx.store.add({
        channel,
        ...(threadTs ? { threadTs } : {}),
        user: ctx.team.botUserId,
        botId: ctx.team.botId,
        text: initialComment,
        files: completed,
        via: "files.completeUploadExternal",
      });
      shareTs = msg.ts;
    }
    const scope = channel?.startsWith("C") ? "public" : "private";
    return ok({
      files: completed.map((f) => ({
        id: f.id,
        name: f.name,
        title: f.title,
        mimetype: f.mimetype,
        size: f.data.length,
        url_private_download: f.urlPrivateDownload,
        shares:
          channel !== undefined && shareTs !== undefined ? { [scope]: { [channel]: [{ ts: shareTs, ...(threadTs ? { thread_ts: threadTs } : {}) }] } } : {},
      })),
    });
  },
};
