import { fakeNowMs } from "../clock.js";
import { fail, type MethodHandler, ok, str } from "./method-types.js";

/** One person's Home tab as Slack keeps it: the view published last, and every view published before. */
export interface FakeHomeTab {
  readonly userId: string;
  view: FakeView;
  readonly revisions: Array<{ readonly atMs: number; readonly view: FakeView }>;
}

export interface FakeView {
  readonly id: string;
  readonly type: "home";
  readonly blocks: readonly Record<string, unknown>[];
  readonly private_metadata: string;
  readonly callback_id: string;
  readonly hash: string;
}

/**
 * The app's Home tabs and its DMs with people (docs.slack.dev `views.publish`, `conversations.open`, "App Home").
 * `enabled: false` is an app whose manifest has `home_tab_enabled: false`: views.publish answers `not_enabled`.
 */
export class FakeAppHome {
  readonly tabs = new Map<string, FakeHomeTab>();
  enabled = true;
  private readonly dms = new Map<string, string>();
  private nextView = 1;

  /** The DM channel between the bot and `userId` (the same id every time, as Slack's is). */
  dmChannelOf(userId: string): string {
    let id = this.dms.get(userId);
    if (!id) {
      id = `D${userId.replace(/^[UW]/, "")}HOME`;
      this.dms.set(userId, id);
    }
    return id;
  }

  tab(userId: string): FakeHomeTab | undefined {
    return this.tabs.get(userId);
  }

  publish(userId: string, view: Omit<FakeView, "id" | "hash">): FakeView {
    const existing = this.tabs.get(userId);
    const full: FakeView = { ...view, id: existing?.view.id ?? `VHOME${this.nextView++}`, hash: `${Math.floor(fakeNowMs() / 1000)}.${this.nextView++}` };
    if (existing) {
      existing.view = full;
      existing.revisions.push({ atMs: fakeNowMs(), view: full });
    } else this.tabs.set(userId, { userId, view: full, revisions: [{ atMs: fakeNowMs(), view: full }] });
    return full;
  }
}

/** Block Kit limits for a Home tab (docs.slack.dev "Block Kit" reference, "Views"). */
const VIEW_LIMITS = {
  blocks: 100,
  headerText: 150,
  sectionText: 3_000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  actionId: 255,
} as const;
const HOME_BLOCK_TYPES = new Set(["actions", "context", "divider", "header", "image", "input", "section", "rich_text", "video", "file"]);

type Block = Record<string, unknown>;
const textOf = (o: unknown): string => (o && typeof o === "object" && typeof (o as { text?: unknown }).text === "string" ? (o as { text: string }).text : "");

/** The first problem Slack's `invalid_blocks` would report for these blocks, or undefined. */
function blockProblem(blocks: readonly Block[]): string | undefined {
  if (blocks.length > VIEW_LIMITS.blocks) return `must provide an array with no more than ${VIEW_LIMITS.blocks} items [json-pointer:/view/blocks]`;
  const actionIds = new Set<string>();
  for (const [i, b] of blocks.entries()) {
    const at = `[json-pointer:/view/blocks/${i}]`;
    if (typeof b.type !== "string" || !HOME_BLOCK_TYPES.has(b.type)) return `unsupported type: ${String(b.type)} ${at}`;
    if (b.type === "header" && (textOf(b.text) === "" || textOf(b.text).length > VIEW_LIMITS.headerText || (b.text as Block).type !== "plain_text"))
      return `header text must be plain_text of 1-${VIEW_LIMITS.headerText} characters ${at}/text`;
    if (b.type === "section" && textOf(b.text).length > VIEW_LIMITS.sectionText)
      return `must be less than ${VIEW_LIMITS.sectionText + 1} characters ${at}/text`;
    if (b.type === "context") {
      const elements = (b.elements as Block[] | undefined) ?? [];
      if (elements.length === 0 || elements.length > VIEW_LIMITS.contextElements)
        return `context needs 1-${VIEW_LIMITS.contextElements} elements ${at}/elements`;
      for (const e of elements)
        if (e.type === "image" && (typeof e.image_url !== "string" || typeof e.alt_text !== "string")) return `image needs image_url and alt_text ${at}`;
    }
    if (b.type === "actions") {
      const elements = (b.elements as Block[] | undefined) ?? [];
      if (elements.length === 0 || elements.length > VIEW_LIMITS.actionsElements)
        return `actions needs 1-${VIEW_LIMITS.actionsElements} elements ${at}/elements`;
      for (const [j, e] of elements.entries()) {
        const where = `${at}/elements/${j}`;
        if (e.type !== "button") continue;
        if (textOf(e.text) === "" || textOf(e.text).length > VIEW_LIMITS.buttonText)
          return `button text must be 1-${VIEW_LIMITS.buttonText} characters ${where}/text`;
        if (typeof e.value === "string" && e.value.length > VIEW_LIMITS.buttonValue)
          return `must be less than ${VIEW_LIMITS.buttonValue + 1} characters ${where}/value`;
        const id = typeof e.action_id === "string" ? e.action_id : "";
        if (id.length > VIEW_LIMITS.actionId) return `must be less than ${VIEW_LIMITS.actionId + 1} characters ${where}/action_id`;
        if (id !== "" && actionIds.has(id)) return `action_id already exists in this view ${where}/action_id`;
        actionIds.add(id);
      }
    }
  }
  return undefined;
}

/** views.publish and conversations.open, for the app's Home tab and the DM it answers in. */
export function appHomeMethods(home: FakeAppHome): Record<string, MethodHandler> {
  return {
    "views.publish": (ctx) => {
      const userId = str(ctx.fields, "user_id") ?? fail("invalid_arguments", { response_metadata: { messages: ["invalid `user_id`"] } });
      const raw = ctx.fields.view;
      const view = (typeof raw === "string" ? safeJson(raw) : raw) as Block | undefined;
      if (!view || typeof view !== "object") return fail("invalid_arguments", { response_metadata: { messages: ["invalid `view`"] } });
      if (JSON.stringify(view).length > 250_000) return fail("view_too_large");
      if (view.type !== "home") return fail("invalid_arguments", { response_metadata: { messages: ["must be a home view [json-pointer:/view/type]"] } });
      if (!home.enabled) return fail("not_enabled");
      const blocks = Array.isArray(view.blocks) ? (view.blocks as Block[]) : [];
      const problem = blockProblem(blocks);
      if (problem) return fail("invalid_blocks", { response_metadata: { messages: [problem] } });
      const published = home.publish(userId, {
        type: "home",
        blocks,
        private_metadata: typeof view.private_metadata === "string" ? view.private_metadata : "",
        callback_id: typeof view.callback_id === "string" ? view.callback_id : "",
      });
      return ok({
        view: { ...published, team_id: ctx.team.teamId, app_id: ctx.team.appId, bot_id: ctx.team.botId, state: { values: {} }, root_view_id: published.id },
      });
    },

    /** Opening a DM needs im:write; `users` is one user id (a group DM would need mpim:write and is not modelled). */
    "conversations.open": (ctx) => {
      const users = str(ctx.fields, "users") ?? fail("users_list_not_supplied");
      if (!ctx.team.scopes.includes("im:write")) return fail("missing_scope", { needed: "im:write", provided: ctx.team.scopes.join(",") });
      if (users.includes(",")) return fail("not_implemented");
      return ok({ channel: { id: home.dmChannelOf(users) } });
    },
  };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
