import type { FakeAgentSession } from "./assistant-threads.js";
import { fail, type MethodContext, type MethodHandler, ok, required, str } from "./method-types.js";

const SESSION_STATUSES = new Set(["active", "processing", "suspended", "closed"]);

/** Either scope will do (assistant.threads.setStatus "accepts either the assistant:write or chat:write scope"). */
function needScope(ctx: MethodContext, ...scopes: string[]): void {
  if (!scopes.some((s) => ctx.team.scopes.includes(s))) fail("missing_scope", { needed: scopes.join(","), provided: ctx.team.scopes.join(",") });
}

function stringList(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === "") return undefined;
  const list = typeof raw === "string" ? (JSON.parse(raw) as unknown) : raw;
  if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) return fail("invalid_arguments");
  return list;
}

/**
 * Slack's AI-app methods as docs.slack.dev documents them: assistant.threads.setStatus / setSuggestedPrompts /
 * setTitle, agents.sessions.setStatus / rename.
 */
export const assistantMethods: Record<string, MethodHandler> = {
  "assistant.threads.setStatus": (ctx) => {
    needScope(ctx, "chat:write", "assistant:write");
    const channel = required(ctx.fields, "channel_id", "channel_not_found");
    const threadTs = required(ctx.fields, "thread_ts", "invalid_thread_ts");
    // `status` is required; an empty one clears the line.
    if (typeof ctx.fields.status !== "string") fail("invalid_arguments", { missing: "status" });
    const loading = stringList(ctx.fields.loading_messages) ?? [];
    if (loading.length > 10) fail("invalid_arguments");
    ctx.assistant.setStatus(channel, threadTs, String(ctx.fields.status), loading);
    return ok();
  },

  "assistant.threads.setSuggestedPrompts": (ctx) => {
    needScope(ctx, "assistant:write");
    const channel = required(ctx.fields, "channel_id", "channel_not_found");
    const raw = typeof ctx.fields.prompts === "string" ? (JSON.parse(ctx.fields.prompts) as unknown) : ctx.fields.prompts;
    if (!Array.isArray(raw) || raw.length === 0 || raw.length > 4) return fail("invalid_arguments");
    const prompts = raw.map((p) => {
      const { title, message } = p as { title?: unknown; message?: unknown };
      if (typeof title !== "string" || typeof message !== "string" || title === "" || message === "") return fail("invalid_arguments");
      return { title, message };
    });
    const threadTs = str(ctx.fields, "thread_ts");
    // "Including [thread_ts] in a call for an agent app will cause the call to silently fail."
    if (ctx.aiExperience === "agent") {
      if (threadTs !== undefined) return ok();
      ctx.assistant.prompts.set(channel, { title: str(ctx.fields, "title"), prompts });
      return ok();
    }
    // The legacy assistant experience sets them on a thread ("thread_ts … should only be used in the legacy
    // assistant messaging experience"); without it "the prompts will be set for the latest message in the channel".
    const target = threadTs ?? ctx.store.latestIn(channel)?.ts ?? fail("message_not_found");
    if (ctx.store.get(channel, target) === undefined) fail("invalid_thread_ts");
    ctx.assistant.prompts.set(`${channel}/${target}`, { title: str(ctx.fields, "title"), prompts });
    return ok();
  },

  /** Tier 4; `title` is required; a thread the channel does not hold is `invalid_thread_ts`. */
  "assistant.threads.setTitle": (ctx) => {
    needScope(ctx, "assistant:write");
    const channel = required(ctx.fields, "channel_id", "channel_not_found");
    const threadTs = required(ctx.fields, "thread_ts", "invalid_thread_ts");
    const title = required(ctx.fields, "title");
    if (ctx.store.get(channel, threadTs) === undefined) fail("invalid_thread_ts");
    ctx.assistant.setTitle(channel, threadTs, title);
    return ok();
  },

  "agents.sessions.setStatus": (ctx) => {
    needScope(ctx, "chat:write");
    const status = required(ctx.fields, "status");
    if (!SESSION_STATUSES.has(status)) fail("invalid_arguments", { invalid: "status" });
    const channel = required(ctx.fields, "channel_id", "channel_not_found");
    const threadTs = required(ctx.fields, "thread_ts", "invalid_thread_ts");
    const title = str(ctx.fields, "title");
    if (title !== undefined && title.length > 200) fail("invalid_arguments", { invalid: "title" });
    const initiator = str(ctx.fields, "initiator_user_id");
    const s = ctx.assistant.setSession(channel, threadTs, status as FakeAgentSession["status"], {
      ...(title !== undefined ? { title } : {}),
      ...(initiator !== undefined ? { initiatorUserId: initiator } : {}),
    });
    return ok({ status: s.status, ...(s.title !== undefined ? { title: s.title } : {}) });
  },

  "agents.sessions.rename": (ctx) => {
    needScope(ctx, "chat:write");
    const channel = required(ctx.fields, "channel_id", "channel_not_found");
    const threadTs = required(ctx.fields, "thread_ts", "invalid_thread_ts");
    const title = required(ctx.fields, "title");
    if (title.length > 200) fail("invalid_arguments", { invalid: "title" });
    const s = ctx.assistant.session(channel, threadTs) ?? fail("session_not_found");
    s.title = title;
    return ok({ title });
  },
};
