import { PermissionFlagsBits, PermissionsBitField } from "discord.js";
import { describe, expect, it } from "vitest";
import { inviteUrl, REQUIRED_PERMISSIONS, requiredPermissionsInteger } from "../../../../adapters/discord/permissions.js";

describe("required permissions", () => {
  it("is the documented integer, made of exactly the permissions the features need", () => {
    expect(requiredPermissionsInteger()).toBe(309237763072n);
    expect(new PermissionsBitField(requiredPermissionsInteger()).toArray().sort()).toEqual(
      ["AttachFiles", "CreatePublicThreads", "EmbedLinks", "ReadMessageHistory", "SendMessages", "SendMessagesInThreads", "ViewChannel"].sort(),
    );
    expect(requiredPermissionsInteger() & PermissionFlagsBits.Administrator).toBe(0n);
    expect(REQUIRED_PERMISSIONS.every((p) => p.why.length > 0)).toBe(true);
  });

  it("builds the bot invite URL", () => {
    const url = new URL(inviteUrl("1100000000000000001"));
    expect(url.origin + url.pathname).toBe("https://discord.com/oauth2/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: "1100000000000000001", scope: "bot applications.commands", permissions: "309237763072" });
  });
});
