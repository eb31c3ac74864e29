import type { FakeAssistantThreads } from "./assistant-threads.js";
import type { FakeSlackTeam, FakeSlackUser } from "./fake-team.js";
import type { FakeFileRegistry } from "./file-registry.js";
import type { FakeMessageStore } from "./message-store.js";
import type { FakeViews } from "./views.js";

/** What a Web API method handler gets. */
export interface MethodContext {
  readonly fields: Record<string, unknown>;
  readonly team: FakeSlackTeam;
  readonly store: FakeMessageStore;
  /** Status lines, agent sessions and suggested prompts. */
  readonly assistant: FakeAssistantThreads;
  readonly files: FakeFileRegistry;
  /** Trigger ids and the modals opened with them. */
  readonly views: FakeViews;
  /**
   * conversations.replies under the limits of apps outside the Marketplace (1 call a minute, at most 15
   * messages a call) or Tier 3 ("marketplace").
   */
  readonly historyLimits: "marketplace" | "non_marketplace";
  /** The app's manifest declares `agent_view` ("agent", the default) or the legacy `assistant_view`. */
  readonly aiExperience: "agent" | "assistant";
  readonly users: ReadonlyMap<string, FakeSlackUser>;
  /** http://127.0.0.1:PORT */
  readonly baseUrl: string;
  /** Opens a Socket Mode link and returns its ws:// URL. */
  readonly openSocketLink: () => string;
}

export interface MethodResult {
  readonly body: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

export type MethodHandler = (ctx: MethodContext) => MethodResult;

/** Thrown by handlers for `{ ok: false, error }` answers (HTTP 200, as Slack does). */
export class SlackMethodError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(error);
  }
}

export const fail = (error: string, extra?: Record<string, unknown>): never => {
  throw new SlackMethodError(error, extra);
};

export const ok = (body: Record<string, unknown> = {}, headers?: Record<string, string>): MethodResult => ({
  body: { ok: true, ...body },
  ...(headers ? { headers } : {}),
});

export function str(fields: Record<string, unknown>, key: string): string | undefined {
  const v = fields[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}

export function required(fields: Record<string, unknown>, key: string, error = "invalid_arguments"): string {
  return str(fields, key) ?? fail(error, { missing: key });
}
