import { REST } from "discord.js";
import type { DoctorCheck } from "../../src/contracts/doctor.js";
import type { DiscordConfig } from "./config.js";
import { inviteUrl } from "./permissions.js";

/** Application flags that say the Message Content intent is switched on in the Developer Portal. */
const GATEWAY_MESSAGE_CONTENT = 1 << 18;
const GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19;

/** `npm run doctor` for Discord: the token, the Message Content intent, and whether the bot is in a server. */
export async function checkDiscord(config: DiscordConfig): Promise<DoctorCheck[]> {
  const area = "Discord";
  const rest = new REST({ ...(config.apiUrl ? { api: config.apiUrl } : {}), retries: 0, timeout: 10_000 }).setToken(config.botToken);
  const checks: DoctorCheck[] = [];
  let appId: string | undefined;
  try {
    const me = (await rest.get("/users/@me")) as { id: string; username: string; bot?: boolean };
    checks.push({ area, name: "bot token", status: "pass", detail: `bot ${me.username} (${me.id})` });
  } catch (err) {
    const status = (err as { status?: number }).status;
    return [
      {
        area,
        name: "bot token",
        status: "fail",
        detail: status ? `Discord answered ${status}` : "Discord cannot be reached",
        fix:
          status === 401
            ? "Reset the token in Developer Portal → your app → Bot, and put it in DISCORD_BOT_TOKEN."
            : "Check network access to Discord (or DISCORD_API_URL).",
      },
    ];
  }
  try {
    const app = (await rest.get("/applications/@me")) as { id: string; flags?: number };
    appId = app.id;
    const flags = app.flags ?? 0;
    checks.push(
      flags & (GATEWAY_MESSAGE_CONTENT | GATEWAY_MESSAGE_CONTENT_LIMITED)
        ? { area, name: "Message Content intent", status: "pass", detail: "enabled" }
        : {
            area,
            name: "Message Content intent",
            status: "fail",
            detail: "disabled: the bot only sees messages that mention it and direct messages",
            fix: "Developer Portal → your app → Bot → Privileged Gateway Intents → turn on Message Content Intent.",
          },
    );
  } catch {
    checks.push({ area, name: "application", status: "warn", detail: "could not read the application", fix: "Check the token belongs to a bot application." });
  }
  try {
    const guilds = (await rest.get("/users/@me/guilds")) as unknown[];
    checks.push(
      guilds.length > 0
        ? { area, name: "servers", status: "pass", detail: `in ${guilds.length} server(s)` }
        : {
            area,
            name: "servers",
            status: "warn",
            detail: "the bot is in no server yet",
            fix: `Invite it: ${appId ? inviteUrl(appId) : "Developer Portal → OAuth2 → URL Generator (scope bot)"}`,
          },
    );
  } catch {
    checks.push({ area, name: "servers", status: "warn", detail: "could not list the bot's servers" });
  }
  return checks;
}
