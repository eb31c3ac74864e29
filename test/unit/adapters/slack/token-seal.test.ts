import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TokenSeal } from "../../../../adapters/slack/token-seal.js";

const keyA = randomBytes(32);
const keyB = randomBytes(32);

describe("TokenSeal (SLACK_TOKEN_KEY, AES-256-GCM)", () => {
  it("round-trips a record without the plaintext appearing in the sealed form, with a fresh IV each time", () => {
    const seal = new TokenSeal([keyA]);
    const record = JSON.stringify({ bot: { token: "xoxb-very-secret" } });
    const one = seal.seal(record, "T1");
    const two = seal.seal(record, "T1");
    expect(one).not.toContain("xoxb");
    expect(one).not.toBe(two);
    expect(seal.open(one, "T1")).toEqual({ plaintext: record, isStale: false });
  });

  it("a record moved under another workspace's id does not open (the id is authenticated)", () => {
    const seal = new TokenSeal([keyA]);
    expect(() => seal.open(seal.seal("x", "T1"), "T2")).toThrow();
  });

  it("a tampered record does not open", () => {
    const seal = new TokenSeal([keyA]);
    const parts = seal.seal("hello", "T1").split(".");
    const body = Buffer.from(parts[4] ?? "", "base64url");
    body[0] = (body[0] ?? 0) ^ 1;
    parts[4] = body.toString("base64url");
    expect(() => seal.open(parts.join("."), "T1")).toThrow();
  });

  it("rotation: with 'new,old' an old record opens and is reported stale; new records use the new key; dropping the old key makes old records unreadable", () => {
    const old = new TokenSeal([keyA]).seal("tok", "T1");
    const rotating = new TokenSeal([keyB, keyA]);
    expect(rotating.open(old, "T1")).toEqual({ plaintext: "tok", isStale: true });
    const resealed = rotating.seal("tok", "T1");
    expect(new TokenSeal([keyB]).open(resealed, "T1")).toEqual({ plaintext: "tok", isStale: false });
    expect(() => new TokenSeal([keyB]).open(old, "T1")).toThrow(/no longer lists/);
  });
});
