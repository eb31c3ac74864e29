import { randomUUID } from "node:crypto";
import { fakeNowMs } from "../clock.js";
import type { FakeSlackTeam } from "./fake-team.js";
import { fail, type MethodHandler, ok, required } from "./method-types.js";

/**
 * Modals, as docs.slack.dev/reference/methods/views.open and docs.slack.dev/reference/interaction-payloads/
 * view-interactions-payload describe them: `views.open` needs the `trigger_id` of an interaction less than three
 * seconds old (`expired_trigger_id`), usable once (`exchanged_trigger_id`); a modal's title, submit and close
 * texts are plain_text of at most 24 characters and it holds at most 100 blocks (`invalid_arguments`). A person
 * then fills in the inputs and submits: `view_submission` carries the view with `state.values[block_id][action_id]`.
 */

export interface FakeView {
  readonly id: string;
  readonly triggerId: string;
  /** Whose interaction the trigger came from, when the fake issued it (`issueTrigger`). */
  readonly user: string | undefined;
  readonly view: Record<string, unknown>;
  readonly openedAtMs: number;
}

interface InputBlock {
  readonly type?: string;
  readonly block_id?: string;
  readonly element?: {
    readonly type?: string;
    readonly action_id?: string;
    readonly options?: ReadonlyArray<{ text?: { text?: string }; value?: string }>;
    readonly initial_value?: string;
    readonly initial_option?: { text?: { text?: string }; value?: string };
  };
}

const TRIGGER_LIFETIME_MS = 3_000;

export class FakeViews {
  readonly opened: FakeView[] = [];
  private readonly usedTriggers = new Set<string>();
  private readonly triggerUsers = new Map<string, string>();

  /**
   * A fresh trigger for an interaction by `user` (it starts with the time it was issued, in ms), remembered so a
   * modal opened with it is known to be theirs.
   */
  issueTrigger(user: string): string {
    const id = `${Date.now()}.${randomUUID().replace(/-/g, "").slice(0, 12)}`;
    if (this.triggerUsers.size > 10_000) this.triggerUsers.clear();
    this.triggerUsers.set(id, user);
    return id;
  }

  /** The modals opened for `user`, oldest first. */
  openFor(user: string): FakeView[] {
    return this.opened.filter((v) => v.user === user);
  }

  /** The modal opened last. */
  get latest(): FakeView | undefined {
    return this.opened.at(-1);
  }

  open(triggerId: string, view: Record<string, unknown>): FakeView {
    // The fake's trigger ids start with the time they were issued (payloads.ts).
    if (!/^\d+\.[A-Za-z0-9.-]+$/.test(triggerId)) fail("invalid_trigger_id");
    const issuedAt = Number(triggerId.split(".")[0]);
    if (!Number.isFinite(issuedAt) || fakeNowMs() - issuedAt > TRIGGER_LIFETIME_MS) fail("expired_trigger_id");
    if (this.usedTriggers.has(triggerId)) fail("exchanged_trigger_id");
    if (view.type !== "modal") fail("invalid_arguments", { response_metadata: { messages: ["[ERROR] must be modal [json-pointer:/view/type]"] } });
    for (const key of ["title", "submit", "close"]) {
      const text = (view[key] as { type?: string; text?: string } | undefined)?.text;
      if (key === "title" && text === undefined) fail("invalid_arguments", { response_metadata: { messages: ["[ERROR] missing required field: title"] } });
      if (text !== undefined && [...text].length > 24)
        fail("invalid_arguments", { response_metadata: { messages: [`[ERROR] must be less than 25 characters [json-pointer:/view/${key}/text]`] } });
    }
    const blocks = (view.blocks as Array<{ type?: unknown }> | undefined) ?? [];
    if (blocks.length > 100) fail("invalid_arguments");
    // "submit is required when an input block is within the blocks array"; private_metadata ≤ 3,000, callback_id ≤ 255.
    if (blocks.some((b) => b.type === "input") && view.submit === undefined)
      fail("invalid_arguments", { response_metadata: { messages: ["[ERROR] submit is required with input blocks [json-pointer:/view/submit]"] } });
    if (typeof view.private_metadata === "string" && view.private_metadata.length > 3000) fail("invalid_arguments");
    if (typeof view.callback_id === "string" && view.callback_id.length > 255) fail("invalid_arguments");
    this.usedTriggers.add(triggerId);
    const opened = {
      id: `V${randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase()}`,
      triggerId,
      user: this.triggerUsers.get(triggerId),
      view,
      openedAtMs: fakeNowMs(),
    };
    this.opened.push(opened);
    return opened;
  }

  /**
   * The `view_submission` payload of a person submitting `viewId` with `values` by `action_id` (a select takes
   * the option's value). Inputs left alone keep their initial value, or null.
   */
  submission(
    team: FakeSlackTeam,
    init: { viewId: string; user: string; userName?: string; values: Readonly<Record<string, string>> },
  ): Record<string, unknown> {
    const opened = this.opened.find((v) => v.id === init.viewId);
    if (!opened) throw new Error(`fake slack: no open view ${init.viewId}`);
    const values: Record<string, Record<string, unknown>> = {};
    for (const block of (opened.view.blocks as InputBlock[] | undefined) ?? []) {
      const el = block.element;
      if (block.type !== "input" || !el?.action_id || !block.block_id) continue;
      const given = init.values[el.action_id];
      if (el.type === "static_select") {
        const option = given !== undefined ? el.options?.find((o) => o.value === given) : el.initial_option;
        if (given !== undefined && !option) throw new Error(`fake slack: "${given}" is not an option of ${el.action_id}`);
        values[block.block_id] = { [el.action_id]: { type: "static_select", selected_option: option ?? null } };
      } else {
        values[block.block_id] = { [el.action_id]: { type: el.type, value: given ?? el.initial_value ?? null } };
      }
    }
    return {
      type: "view_submission",
      team: { id: team.teamId, domain: "fake" },
      user: { id: init.user, username: init.userName ?? init.user, name: init.userName ?? init.user, team_id: team.teamId },
      api_app_id: team.appId,
      token: "fake-verification-token",
      trigger_id: `${Date.now()}.${randomUUID().slice(0, 8)}`,
      view: {
        ...opened.view,
        id: opened.id,
        team_id: team.teamId,
        state: { values },
        hash: `${Math.floor(fakeNowMs() / 1000)}.${randomUUID().slice(0, 8)}`,
        app_id: team.appId,
        bot_id: team.botId,
      },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
  }
}

export const viewMethods: Record<string, MethodHandler> = {
  "views.open": (ctx) => {
    const triggerId = required(ctx.fields, "trigger_id", "invalid_arguments");
    const raw = ctx.fields.view;
    const view = (typeof raw === "string" ? JSON.parse(raw) : raw) as Record<string, unknown> | undefined;
    if (!view || typeof view !== "object") return fail("invalid_arguments", { missing: "view" });
    const opened = ctx.views.open(triggerId, view);
    return ok({ view: { ...opened.view, id: opened.id, team_id: ctx.team.teamId, state: { values: {} } } });
  },
};
