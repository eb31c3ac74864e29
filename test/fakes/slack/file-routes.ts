import type { IncomingMessage, ServerResponse } from "node:http";
import { sendBody } from "../response-body.js";
import type { FakeSlackTeam } from "./fake-team.js";
import type { FakeFileRegistry } from "./file-registry.js";
import { parseBody } from "./request-body.js";

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  pdf: "application/pdf",
  txt: "text/plain",
  csv: "text/csv",
  json: "application/json",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  wav: "audio/wav",
};

/** What Slack serves when a private file is fetched without a valid token: its sign-in page, with status 200. */
export const SLACK_LOGIN_PAGE = "<!DOCTYPE html><html><head><title>Slack</title></head><body><h1>Sign in to Fake Workspace</h1></body></html>";

/** The upload URL of files.getUploadURLExternal: stores the bytes (multipart part or raw body). */
export async function serveUpload(files: FakeFileRegistry, id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const file = files.get(id);
  if (file === undefined) {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("unknown upload");
    return;
  }
  const body = await parseBody(req);
  const part = body.files[0];
  const data = part ? part.data : body.raw;
  const ext = file.name.split(".").pop()?.toLowerCase() ?? "";
  const partType = part?.type && part.type !== "application/octet-stream" ? part.type : undefined;
  files.put({ ...file, data, mimetype: partType ?? MIME_BY_EXTENSION[ext] ?? "application/octet-stream", isUploaded: true });
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(`OK - ${data.length}`);
}

/**
 * `url_private_download`: the bytes for the bot token, the HTML sign-in page (status 200) for anyone else, and
 * also for the bot when its token lacks `files:read`, which is what real Slack does.
 */
export function serveFileDownload(files: FakeFileRegistry, team: FakeSlackTeam, path: string, req: IncomingMessage, res: ServerResponse): void {
  const file = files.byPath(path);
  if (file === undefined) {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("file not found");
    return;
  }
  if (req.headers.authorization !== `Bearer ${team.botToken}` || !team.scopes.includes("files:read")) {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(SLACK_LOGIN_PAGE);
    return;
  }
  if (file.redirectTo !== undefined) {
    res.writeHead(302, { location: file.redirectTo });
    res.end();
    return;
  }
  res.writeHead(200, { "content-type": file.servedContentType ?? file.mimetype, "content-length": String(file.data.length) });
  sendBody(res, file.data, file.trickleMs);
}
