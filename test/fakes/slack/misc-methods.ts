import type { FakeSlackMessage } from "./message-store.js";
import { fail, type MethodHandler, ok, required, str } from "./method-types.js";

/**
 * A message as conversations.replies returns it. A streamed message (open or stopped) is, conservatively, an
 * ordinary bot message whose `text` is what was streamed so far: Slack documents no stream-specific fields for
 * it (the SDK's types list a `streaming_state` string with no documented values, so the fake sends none), and
 * no metadata, which only chat.stopStream can add.
 */
function replyView(m: FakeSlackMessage, withMetadata: boolean): Record<string, unknown> {
  return {
    // Slack returns message metadata only to callers that ask for it (`include_all_metadata`).
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    type: "message",
    user: m.user,
    ...(m.botId ? { bot_id: m.botId, bot_profile: { id: m.botId, name: "fake-bot" } } : {}),
    text: m.stream !== "none" && m.text === "" ? m.markdown : m.text,
    ...(m.blocks.length > 0 ? { blocks: m.blocks } : {}),
    ts: m.ts,
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.files.length > 0 ? { files: m.files.map((f) => ({ id: f.id, name: f.name, mimetype: f.mimetype })) } : {}),
  };
}

export const miscMethods: Record<string, MethodHandler> = {
  "auth.test": (ctx) =>
    ok(
      {
        url: `${ctx.baseUrl}/`,
        team: ctx.team.teamName,
        user: "fake-bot",
        team_id: ctx.team.teamId,
        user_id: ctx.team.botUserId,
        bot_id: ctx.team.botId,
        ...(ctx.team.enterpriseId !== undefined ? { enterprise_id: ctx.team.enterpriseId } : {}),
        is_enterprise_install: ctx.team.enterpriseId !== undefined,
      },
      { "x-oauth-scopes": ctx.team.scopes.join(",") },
    ),

  "users.info": (ctx) => {
    const id = required(ctx.fields, "user", "user_not_found");
    if (!ctx.team.scopes.includes("users:read")) return fail("missing_scope", { needed: "users:read", provided: ctx.team.scopes.join(",") });
    const u = ctx.users.get(id) ?? fail("user_not_found");
    return ok({
      user: {
        id: u.id,
        name: u.name,
        real_name: u.realName ?? u.name,
        is_bot: u.isBot ?? false,
        profile: { display_name: u.displayName ?? "", real_name: u.realName ?? u.name },
      },
    });
  },

  /** Thread replies, parent first, with Slack's latest/oldest/inclusive window and cursor paging. */
  "conversations.replies": (ctx) => {
    const channel = required(ctx.fields, "channel", "channel_not_found");
    const ts = required(ctx.fields, "ts", "thread_not_found");
    const thread = ctx.store.thread(channel, ts);
    if (thread.length === 0) return fail("thread_not_found");
    const inclusive = ["true", "1"].includes(String(ctx.fields.inclusive ?? ""));
    const latest = str(ctx.fields, "latest");
    const oldest = str(ctx.fields, "oldest");
    const inWindow = thread.filter((m) => {
      const t = Number(m.ts);
      if (latest !== undefined && (inclusive ? t > Number(latest) : t >= Number(latest))) return false;
      if (oldest !== undefined && (inclusive ? t < Number(oldest) : t <= Number(oldest))) return false;
      return true;
    });
    // Apps outside the Marketplace: "the maximum and default values for the limit parameter have both been
    // reduced to 15 objects" (docs.slack.dev conversations.replies); a larger limit is cut to 15.
    const max = ctx.historyLimits === "non_marketplace" ? 15 : 1000;
    const limit = Math.max(1, Math.min(max, Number(ctx.fields.limit ?? max) || max));
    const offset = Number(str(ctx.fields, "cursor")?.replace(/^offset:/, "") ?? 0) || 0;
    const page = inWindow.slice(offset, offset + limit);
    const hasMore = offset + limit < inWindow.length;
    return ok({
      messages: page.map((m) => replyView(m, ["true", "1"].includes(String(ctx.fields.include_all_metadata ?? "")))),
      has_more: hasMore,
      response_metadata: { next_cursor: hasMore ? `offset:${offset + limit}` : "" },
    });
  },

  "apps.connections.open": (ctx) => ok({ url: ctx.openSocketLink() }),
};
