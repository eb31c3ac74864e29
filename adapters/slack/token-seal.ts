import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * AES-256-GCM for installation records at rest (SLACK_TOKEN_KEY). A sealed record reads
 * `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts): the key id (8 hex digits of the key's SHA-256) says
 * which key sealed it, so several keys can be configured while rotating; the record's own id (team or org) is
 * the additional authenticated data, so a record copied under another workspace's id does not open.
 */
const VERSION = "v1";
const IV_BYTES = 12;

const keyIdOf = (key: Buffer): string => createHash("sha256").update(key).digest("hex").slice(0, 8);

export interface OpenedRecord {
  readonly plaintext: string;
  /** Sealed with a key other than the first: the caller re-seals it, which finishes a rotation over time. */
  readonly isStale: boolean;
}

export class TokenSeal {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly currentId: string;
  private readonly current: Buffer;

  /** `keys[0]` seals; every key opens. */
  constructor(keys: readonly Buffer[]) {
    const [first] = keys;
    if (first === undefined) throw new Error("TokenSeal needs at least one key");
    this.current = first;
    this.currentId = keyIdOf(first);
    this.keys = new Map(keys.map((k) => [keyIdOf(k), k]));
  }

  seal(plaintext: string, recordId: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.current, iv);
    cipher.setAAD(Buffer.from(recordId, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [VERSION, this.currentId, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
  }

  /** Throws when the record is malformed, was sealed by a key no longer configured, or was tampered with. */
  open(sealed: string, recordId: string): OpenedRecord {
    const [version, keyId, iv, tag, body, ...rest] = sealed.split(".");
    if (version !== VERSION || keyId === undefined || iv === undefined || tag === undefined || body === undefined || rest.length > 0) {
      throw new Error("not a sealed installation record");
    }
    const key = this.keys.get(keyId);
    if (key === undefined) throw new Error(`installation ${recordId} was sealed with key ${keyId}, which SLACK_TOKEN_KEY no longer lists`);
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(recordId, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    const plaintext = Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    return { plaintext, isStale: keyId !== this.currentId };
  }
}
