import { readFileSync } from "node:fs";
import type { DiscordMessageSnapshot } from "../../../../adapters/discord/message-snapshot.js";

function load<T>(name: string): Record<string, T> {
  return JSON.parse(readFileSync(new URL(`../../../fixtures/discord/${name}`, import.meta.url), "utf8")) as Record<string, T>;
}

const snapshots = load<DiscordMessageSnapshot>("message-snapshots.json");

/** A recorded message snapshot, optionally changed for one case. */
export function snapshot(name: string, patch: Partial<DiscordMessageSnapshot> = {}): DiscordMessageSnapshot {
  const s = snapshots[name];
  if (!s) throw new Error(`no fixture ${name}`);
  return { ...structuredClone(s), ...patch };
}

export function reactionPayload<T>(name: string): T {
  const p = load<T>("reaction-payloads.json")[name];
  if (!p) throw new Error(`no fixture ${name}`);
  return p;
}

export const BOT = "1100000000000000001";
export const GUILD = "1200000000000000001";
export const GENERAL = "1300000000000000001";
