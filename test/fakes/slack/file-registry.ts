import type { FakeStoredFile } from "./message-store.js";

/** A file the fake serves at its `url_private_download` (inbound attachments) or received via files.uploadV2. */
export interface FakeHostedFile extends FakeStoredFile {
  readonly teamId: string;
  readonly urlPrivateDownload: string;
  /** Serve a redirect to this URL instead of the bytes (the token check still happens first). */
  readonly redirectTo?: string;
  /** Content type sent with the bytes. Defaults to `mimetype`. */
  readonly servedContentType?: string;
  /** Send the body one byte at a time, this many ms apart (a stalling host, or a very slow link). */
  readonly trickleMs?: number;
  /** Set once the upload URL received the bytes (uploads only). */
  isUploaded: boolean;
  readonly length?: number;
}

export class FakeFileRegistry {
  private readonly byId = new Map<string, FakeHostedFile>();
  private counter = 0;

  nextId(): string {
    this.counter += 1;
    return `F${String(this.counter).padStart(8, "0")}`;
  }

  put(file: FakeHostedFile): FakeHostedFile {
    this.byId.set(file.id, file);
    return file;
  }

  get(id: string): FakeHostedFile | undefined {
    return this.byId.get(id);
  }

  /** Finds the file whose private download path is `path` (e.g. "/files-pri/T0FAKE-F00000001/download/a.png"). */
  byPath(path: string): FakeHostedFile | undefined {
    return [...this.byId.values()].find((f) => new URL(f.urlPrivateDownload).pathname === path);
  }

  uploaded(): FakeHostedFile[] {
    return [...this.byId.values()].filter((f) => f.isUploaded);
  }
}
