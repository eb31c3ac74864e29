import { randomUUID } from "node:crypto";
import { fakeNowMs } from "../clock.js";
import { fail, type MethodContext, type MethodHandler, ok, str } from "./method-types.js";

/** A trigger_id is good for one views.open within 3 seconds of the interaction (docs.slack.dev "Modals"). */
const TRIGGER_TTL_MS = 3_000;

interface Trigger {
  readonly user: string;
  readonly issuedAtMs: number;
  used: boolean;
}

/** A modal as Slack shows it to the person it was opened for. */
export interface FakeOpenedView {
  readonly id: string;
  readonly user: string;
  readonly teamId: string;
  readonly view: Record<string, unknown>;
  readonly openedAtMs: number;
}

interface PlainText {
  readonly type?: unknown;
  readonly text?: unknown;
}

const plainText = (t: unknown, max: number): boolean => {
  const p = t as PlainText | undefined;
  return p?.type === "plain_text" && typeof p.text === "string" && p.text.length > 0 && p.text.length <= max;
};

/** The modal view object's rules (docs.slack.dev reference/views/modal-views). */
function checkModal(view: Record<string, unknown>): void {
  const bad = (message: string): never => fail("invalid_arguments", { response_metadata: { messages: [`[ERROR] ${message}`] } });
  if (view.type !== "modal") bad("must be a modal view");
  if (!plainText(view.title, 24)) bad("title must be plain_text of at most 24 characters");
  const blocks = view.blocks;
  if (!Array.isArray(blocks) || blocks.length > 100) bad("blocks must be an array of at most 100 blocks");
  const hasInput = (blocks as unknown[]).some((b) => (b as { type?: unknown }).type === "input");
  if (hasInput && !plainText(view.submit, 24)) bad("submit is required with an input block");
  if (view.close !== undefined && !plainText(view.close, 24)) bad("close must be plain_text of at most 24 characters");
  if (typeof view.private_metadata === "string" && view.private_metadata.length > 3000) bad("private_metadata is longer than 3000 characters");
  if (typeof view.callback_id === "string" && view.callback_id.length > 255) bad("callback_id is longer than 255 characters");
}

/** Trigger ids handed out in interaction payloads, and the modals opened with them. */
export class FakeViews {
  private readonly triggers = new Map<string, Trigger>();
  readonly opened: FakeOpenedView[] = [];

  /** A fresh trigger for an interaction by `user` (Slack's format: "12345.98765.abcd2358fdea"). */
  issueTrigger(user: string): string {
    const id = `${Math.floor(fakeNowMs() / 1000)}.${Math.floor(Math.random() * 1e9)}.${randomUUID().replace(/-/g, "").slice(0, 12)}`;
    this.triggers.set(id, { user, issuedAtMs: fakeNowMs(), used: false });
    return id;
  }

  /** The modals open for `user`, oldest first. */
  openFor(user: string): FakeOpenedView[] {
    return this.opened.filter((v) => v.user === user);
  }

  open(ctx: MethodContext): Record<string, unknown> {
    const triggerId = str(ctx.fields, "trigger_id") ?? str(ctx.fields, "interactivity_pointer");
    if (triggerId === undefined) return fail("invalid_arguments", { response_metadata: { messages: ["[ERROR] missing trigger_id"] } });
    if (!/^\d+\.\d+\.[0-9a-f]+$/.test(triggerId)) return fail("invalid_trigger_id");
    const trigger = this.triggers.get(triggerId) ?? fail("invalid_trigger_id");
    if (trigger.used) fail("exchanged_trigger_id");
    if (fakeNowMs() - trigger.issuedAtMs > TRIGGER_TTL_MS) fail("expired_trigger_id");
    const raw = ctx.fields.view;
    const view = (typeof raw === "string" ? JSON.parse(raw) : raw) as Record<string, unknown> | undefined;
    if (view === undefined || typeof view !== "object") return fail("invalid_arguments");
    checkModal(view);
    trigger.used = true;
    const opened: FakeOpenedView = {
      id: `V${randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase()}`,
      user: trigger.user,
      teamId: ctx.team.teamId,
      view,
      openedAtMs: fakeNowMs(),
    };
    this.opened.push(opened);
    return { id: opened.id, team_id: opened.teamId, ...view, state: { values: {} } };
  }

  /**
   * The `view_submission` payload of the person submitting an open modal with `values` typed into its
   * plain_text_input elements (by action_id; elements left out are submitted empty, as Slack sends them: no value).
   */
  submission(viewId: string, values: Readonly<Record<string, string>>, team: { teamId: string; appId: string }): Record<string, unknown> {
    const v = this.opened.find((o) => o.id === viewId);
    if (!v) throw new Error(`fake slack: no open view ${viewId}`);
    const state: Record<string, Record<string, unknown>> = {};
    for (const [i, block] of ((v.view.blocks as unknown[]) ?? []).entries()) {
      const b = block as { type?: string; block_id?: string; element?: { type?: string; action_id?: string } };
      if (b.type !== "input" || b.element?.type !== "plain_text_input") continue;
      const actionId = b.element.action_id ?? `input-${i}`;
      const value = values[actionId];
      state[b.block_id ?? `block-${i}`] = { [actionId]: { type: "plain_text_input", ...(value !== undefined && value !== "" ? { value } : { value: null }) } };
    }
    return {
      type: "view_submission",
      team: { id: team.teamId, domain: "fake" },
      user: { id: v.user, username: v.user, name: v.user, team_id: team.teamId },
      api_app_id: team.appId,
      token: "fake-verification-token",
      trigger_id: this.issueTrigger(v.user),
      view: {
        id: v.id,
        team_id: v.teamId,
        type: "modal",
        callback_id: v.view.callback_id ?? "",
        private_metadata: v.view.private_metadata ?? "",
        title: v.view.title,
        blocks: v.view.blocks,
        state: { values: state },
        hash: randomUUID(),
        app_id: team.appId,
        bot_id: "BBOT",
      },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
  }
}

export const viewMethods: Record<string, MethodHandler> = {
  "views.open": (ctx) => ok({ view: ctx.views.open(ctx) }),
};
