import { describe, expect, it } from "vitest";
import { parseDiscordConfig } from "../../../../adapters/discord/config.js";

describe("parseDiscordConfig", () => {
  it("is off (null) without a bot token", () => {
    expect(parseDiscordConfig({})).toEqual({ ok: true, value: null });
    expect(parseDiscordConfig({ DISCORD_BOT_TOKEN: "  " })).toEqual({ ok: true, value: null });
  });

  it("rejects an unknown DISCORD_COMMANDS value", () => {
    const parsed = parseDiscordConfig({ DISCORD_BOT_TOKEN: "abc.def", DISCORD_COMMANDS: "everywhere" });
    expect(parsed.ok).toBe(false);
    expect(JSON.stringify(parsed)).toContain("DISCORD_COMMANDS");
  });

  it("parses every setting, with defaults", () => {
    expect(parseDiscordConfig({ DISCORD_BOT_TOKEN: "abc.def" })).toEqual({
      ok: true,
      value: {
        botToken: "abc.def",
        apiUrl: undefined,
        allowedGuilds: [],
        allowedChannels: [],
        allowDirectMessages: true,
        maxUploadBytes: 10 * 1024 * 1024,
        sharding: {},
        commands: "global",
        componentsV2: false,
      },
    });
    const parsed = parseDiscordConfig({
      DISCORD_BOT_TOKEN: "Bot abc.def",
      DISCORD_API_URL: "http://127.0.0.1:4000/api/",
      DISCORD_ALLOWED_GUILDS: "1200000000000000001, 1200000000000000002",
      DISCORD_ALLOWED_CHANNELS: "1300000000000000001",
      DISCORD_ALLOW_DMS: "false",
      DISCORD_MAX_UPLOAD_BYTES: "26214400",
      DISCORD_COMMANDS: "guild",
      DISCORD_COMPONENTS_V2: "true",
    });
    expect(parsed).toEqual({
      ok: true,
      value: {
        botToken: "abc.def",
        apiUrl: "http://127.0.0.1:4000/api",
        allowedGuilds: ["1200000000000000001", "1200000000000000002"],
        allowedChannels: ["1300000000000000001"],
        allowDirectMessages: false,
        maxUploadBytes: 26_214_400,
        sharding: {},
        commands: "guild",
        componentsV2: true,
      },
    });
  });

  it("reads the shard count and this process' shard ids (ids and ranges)", () => {
    const shardsOf = (env: Record<string, string>) => {
      const r = parseDiscordConfig({ DISCORD_BOT_TOKEN: "t", ...env });
      return r.ok ? r.value?.sharding : r.issues;
    };
    expect(shardsOf({ DISCORD_SHARD_COUNT: "auto" })).toEqual({});
    expect(shardsOf({ DISCORD_SHARD_COUNT: "4" })).toEqual({ count: 4 });
    expect(shardsOf({ DISCORD_SHARD_COUNT: "8", DISCORD_SHARD_IDS: "6, 0-2,1" })).toEqual({ count: 8, ids: [0, 1, 2, 6] });
    expect(shardsOf({ DISCORD_SHARD_COUNT: "0" })).toEqual(["DISCORD_SHARD_COUNT: must be a whole number of shards from 1 to 100000, or auto"]);
    expect(shardsOf({ DISCORD_SHARD_IDS: "0,1" })).toEqual(["DISCORD_SHARD_IDS: needs DISCORD_SHARD_COUNT (every process must agree on the total)"]);
    expect(shardsOf({ DISCORD_SHARD_COUNT: "2", DISCORD_SHARD_IDS: "1-3" })).toEqual([
      "DISCORD_SHARD_IDS: ids must be below DISCORD_SHARD_COUNT (2); 2 are not",
    ]);
    expect(shardsOf({ DISCORD_SHARD_COUNT: "2", DISCORD_SHARD_IDS: "1,b" })).toEqual(["DISCORD_SHARD_IDS: entry 2 is not a shard id or a range like 4-7"]);
  });

  it("reports every problem at once and never echoes a value", () => {
    const secret = "s3cr3t-token ";
    const parsed = parseDiscordConfig({
      DISCORD_BOT_TOKEN: secret,
      DISCORD_API_URL: "ftp://files.example",
      DISCORD_ALLOWED_GUILDS: "123,general",
      DISCORD_ALLOWED_CHANNELS: "#random",
      DISCORD_ALLOW_DMS: "maybe",
      DISCORD_MAX_UPLOAD_BYTES: "big",
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const vars = parsed.issues.map((i) => i.split(":")[0]);
    expect(vars.sort()).toEqual(
      ["DISCORD_ALLOWED_CHANNELS", "DISCORD_ALLOWED_GUILDS", "DISCORD_ALLOW_DMS", "DISCORD_API_URL", "DISCORD_BOT_TOKEN", "DISCORD_MAX_UPLOAD_BYTES"].sort(),
    );
    const all = parsed.issues.join("\n");
    for (const value of ["s3cr3t", "files.example", "general", "#random", "maybe", "big"]) expect(all).not.toContain(value);
    expect(all).toContain("DISCORD_ALLOWED_GUILDS: entry 2 is not a numeric Discord id");
  });

  it("rejects an API URL that already carries the version", () => {
    const parsed = parseDiscordConfig({ DISCORD_BOT_TOKEN: "t", DISCORD_API_URL: "http://127.0.0.1:4000/api/v10" });
    expect(parsed).toEqual({ ok: false, issues: ["DISCORD_API_URL: must not end with the API version (use the base, e.g. .../api)"] });
  });

  it("still checks the other variables when Discord is off", () => {
    expect(parseDiscordConfig({ DISCORD_ALLOWED_GUILDS: "x" }).ok).toBe(false);
  });
});
