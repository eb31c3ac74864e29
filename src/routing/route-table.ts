import type { PlatformId } from "../contracts/messages.js";
import { DEFAULT_APP_ID, type RouteRule } from "./routes-schema.js";

/** Where a message was written, as routes see it: a thread counts as its parent channel. */
export interface RoutePlace {
  readonly platform: PlatformId;
  /** Slack team id, Discord guild id ("@dm" for Discord DMs). */
  readonly workspaceId: string;
  readonly channelId: string;
  readonly isDirectMessage: boolean;
}

/**
 * "<platform>:<workspace>:<channel>:<thread>" → the place. The conversation key's channel is the thread's
 * parent on every platform (messages.ts), which is what "threads inherit their channel's route" needs.
 */
export function placeOf(conversationKey: string, isDirectMessage: boolean): RoutePlace | null {
  const [platform, workspaceId, channelId] = conversationKey.split(":");
  if ((platform !== "slack" && platform !== "discord") || !workspaceId || !channelId) return null;
  return { platform, workspaceId, channelId, isDirectMessage };
}

/** First match wins; a rule matches when every field it sets equals the place's. No match: the default app. */
export function routeFor(rules: readonly RouteRule[], place: RoutePlace): string {
  for (const r of rules) {
    if (r.platform !== undefined && r.platform !== place.platform) continue;
    if (r.workspace !== undefined && r.workspace !== place.workspaceId) continue;
    if (r.channel !== undefined && r.channel !== place.channelId) continue;
    if (r.dm !== undefined && r.dm !== place.isDirectMessage) continue;
    return r.app;
  }
  return DEFAULT_APP_ID;
}
