import { DiscordAPIError, HTTPError } from "discord.js";
import { describe, expect, it } from "vitest";
import { discordErrorForLog, translateDiscordError } from "../../../../adapters/discord/errors.js";
import { routeForLog } from "../../../../adapters/discord/rest-client.js";
import { PlatformError } from "../../../../src/contracts/errors.js";

const TOKEN = "aW50ZXJhY3Rpb246MTkwMDAwMDAwMDAwMDAwMDAwMTpzZWNyZXQtdG9rZW4tdmFsdWU";

describe("Discord routes and errors in logs", () => {
  it("replaces ids and interaction or webhook tokens in routes", () => {
    expect(routeForLog("https://discord.com/api/v10/channels/1300000000000000001/messages/1574267262087462912")).toBe("/channels/:id/messages/:id");
    expect(routeForLog(`https://discord.com/api/v10/interactions/1900000000000000001/${TOKEN}/callback`)).toBe("/interactions/:id/:token/callback");
    expect(routeForLog(`https://discord.com/api/v10/webhooks/1100000000000000001/${TOKEN}`)).toBe("/webhooks/:id/:token");
    expect(routeForLog(`http://127.0.0.1:4000/api/v10/webhooks/1100000000000000001/${TOKEN}?wait=true`)).toBe("/webhooks/:id/:token");
  });

  it("logs @discordjs/rest errors without their URL (it holds the interaction token)", () => {
    const url = `https://discord.com/api/v10/interactions/1900000000000000001/${TOKEN}/callback`;
    const api = new DiscordAPIError({ code: 10062, message: "Unknown interaction" }, 10062, 404, "POST", url, { body: {} });
    const http = new HTTPError(502, "Bad Gateway", "POST", url, { body: {} });
    for (const err of [api, http, translateDiscordError(api, { action: "acknowledge a click" })]) {
      const logged = JSON.stringify(discordErrorForLog(err));
      expect(logged).not.toContain(TOKEN);
      expect(logged).toContain("/interactions/:id/:token/callback");
    }
    expect(discordErrorForLog(api)).toMatchObject({ type: "DiscordAPIError[10062]", code: 10062, status: 404, method: "POST" });
  });

  it("leaves other errors as they are", () => {
    const plain = new Error("boom");
    const platform = new PlatformError("discord", "no cause");
    expect(discordErrorForLog(plain)).toBe(plain);
    expect(discordErrorForLog(platform)).toBe(platform);
  });
});
