import { describe, expect, it } from "vitest";
import { checkAttachmentUrl, isPrivateAddress } from "../../../../adapters/discord/download-policy.js";

describe("checkAttachmentUrl", () => {
  it("allows Discord's CDN hosts over https, with the address check", () => {
    for (const url of ["https://cdn.discordapp.com/attachments/1/2/a.png?ex=1&is=2&hm=3", "https://media.discordapp.net/attachments/1/2/a.png"]) {
      expect(checkAttachmentUrl(url, undefined)).toMatchObject({ ok: true, checkAddress: true });
    }
  });

  it("refuses other hosts, plain http, odd ports, credentials and non-URLs", () => {
    for (const url of [
      "https://evil.example/attachments/a.png",
      "https://cdn.discordapp.com.evil.example/a.png",
      "http://cdn.discordapp.com/a.png",
      "https://cdn.discordapp.com:8443/a.png",
      "https://user:pw@cdn.discordapp.com/a.png",
      "http://127.0.0.1:9999/cdn/a.png",
      "not a url",
    ]) {
      expect(checkAttachmentUrl(url, undefined).ok).toBe(false);
    }
  });

  it("trusts the DISCORD_API_URL host (same scheme and port) without the address check", () => {
    expect(checkAttachmentUrl("http://127.0.0.1:4000/cdn/a.png", "http://127.0.0.1:4000/api")).toMatchObject({ ok: true, checkAddress: false });
    expect(checkAttachmentUrl("http://127.0.0.1:4001/cdn/a.png", "http://127.0.0.1:4000/api").ok).toBe(false);
    expect(checkAttachmentUrl("https://127.0.0.1:4000/cdn/a.png", "http://127.0.0.1:4000/api").ok).toBe(false);
  });
});

describe("isPrivateAddress", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::1",
    "fd00::1",
    "fe80::1",
    "::ffff:127.0.0.1",
    "garbage",
  ])("%s is private", (address) => expect(isPrivateAddress(address)).toBe(true));
  it.each(["162.159.128.233", "8.8.8.8", "2606:4700::6810:1", "::ffff:8.8.8.8"])("%s is public", (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});
