import { PermissionFlagsBits } from "discord.js";

/**
 * The server permissions the bridge needs, and why. This is the one place they are defined: the invite URL,
 * the start-up warning and the README are derived from it.
 */
export const REQUIRED_PERMISSIONS = [
  { name: "View Channel", bit: PermissionFlagsBits.ViewChannel, why: "see the channels it is mentioned in" },
  { name: "Send Messages", bit: PermissionFlagsBits.SendMessages, why: "answer (and reply where threads are impossible)" },
  { name: "Send Messages in Threads", bit: PermissionFlagsBits.SendMessagesInThreads, why: "answer inside conversation threads" },
  { name: "Create Public Threads", bit: PermissionFlagsBits.CreatePublicThreads, why: "open one thread per conversation" },
  { name: "Read Message History", bit: PermissionFlagsBits.ReadMessageHistory, why: "read an existing thread when mentioned in it" },
  { name: "Attach Files", bit: PermissionFlagsBits.AttachFiles, why: "deliver files the app produces" },
  { name: "Embed Links", bit: PermissionFlagsBits.EmbedLinks, why: "show citations as an embed" },
] as const;

/**
 * The permissions integer for the OAuth2 invite URL (309237763072).
 * @internal Exported so the test pins the invite integer the README documents.
 */
export function requiredPermissionsInteger(): bigint {
  return REQUIRED_PERMISSIONS.reduce((acc, p) => acc | p.bit, 0n);
}

/** The URL a server admin opens to add the bot with exactly the permissions it needs. */
export function inviteUrl(applicationId: string): string {
  const params = new URLSearchParams({
    client_id: applicationId,
    // applications.commands: /ask, /new and the message command (bot alone no longer grants them everywhere).
    scope: "bot applications.commands",
    permissions: requiredPermissionsInteger().toString(),
  });
  return `https://discord.com/oauth2/authorize?${params.toString()}`;
}
