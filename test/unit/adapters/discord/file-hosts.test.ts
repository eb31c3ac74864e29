import { describe, expect, it } from "vitest";
import { discordDownloadPolicy } from "../../../../adapters/discord/file-hosts.js";
import { classifyHost } from "../../../../adapters/shared/download-policy.js";

describe("Discord download policy", () => {
  const policy = discordDownloadPolicy({ apiUrl: undefined });
  const kind = (url: string) => classifyHost(policy, new URL(url));

  it("treats Discord's CDN hosts over https as file hosts", () => {
    expect(kind("https://cdn.discordapp.com/attachments/1/2/a.png?ex=1&is=2&hm=3")).toBe("file-host");
    expect(kind("https://media.discordapp.net/attachments/1/2/a.png")).toBe("file-host");
  });

  it("treats other hosts, plain http and odd ports as other hosts", () => {
    for (const url of [
      "https://evil.example/attachments/a.png",
      "https://cdn.discordapp.com.evil.example/a.png",
      "http://cdn.discordapp.com/a.png",
      "https://cdn.discordapp.com:8443/a.png",
      "http://127.0.0.1:9999/cdn/a.png",
    ]) {
      expect(kind(url), url).toBe("other");
    }
  });

  it("trusts the DISCORD_API_URL origin (same scheme and port) as the API host", () => {
    const custom = discordDownloadPolicy({ apiUrl: "http://127.0.0.1:4000/api" });
    expect(classifyHost(custom, new URL("http://127.0.0.1:4000/cdn/a.png"))).toBe("api");
    expect(classifyHost(custom, new URL("http://127.0.0.1:4001/cdn/a.png"))).toBe("other");
    expect(classifyHost(custom, new URL("https://127.0.0.1:4000/cdn/a.png"))).toBe("other");
  });

  it("sends no token anywhere and allows redirects only to its own hosts", () => {
    expect(policy.bearerToken).toBeUndefined();
    expect(policy.redirects).toBe("file-hosts");
  });
});
