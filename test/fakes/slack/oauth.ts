import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeSlackTeam } from "./fake-team.js";

/** The app's OAuth credentials and the workspaces that may install it (each with the bot token it will get). */
export interface FakeSlackOAuthOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly workspaces: readonly FakeSlackTeam[];
  /** The Redirect URL configured in the app, used when the authorize request carries no `redirect_uri`. */
  redirectUri?: string;
}

interface PendingGrant {
  readonly team: FakeSlackTeam;
  readonly scope: string;
  readonly redirectUri: string | undefined;
}

/**
 * Slack's OAuth v2 as documented (docs.slack.dev "Installing with OAuth", oauth.v2.access): the authorize page
 * redirects to the app's redirect URL with a one-time `code` and the `state` it was given; oauth.v2.access
 * exchanges the code (client id and secret as form fields or HTTP Basic), once, for the workspace's bot token.
 * Only installed workspaces' tokens are valid; an uninstall revokes the token.
 */
export class FakeSlackOAuth {
  private readonly grants = new Map<string, PendingGrant>();
  private readonly installed = new Map<string, FakeSlackTeam>();

  constructor(readonly options: FakeSlackOAuthOptions) {}

  /** The workspace a token belongs to, while it is installed. */
  teamOfToken(token: string): FakeSlackTeam | undefined {
    return this.installed.get(token);
  }

  isInstalled(teamId: string): boolean {
    return [...this.installed.values()].some((t) => t.teamId === teamId);
  }

  /** The app is removed from the workspace: its token stops working at once. */
  revoke(teamId: string): FakeSlackTeam {
    const team = this.workspace(teamId);
    this.installed.delete(team.botToken);
    return team;
  }

  workspace(teamId: string): FakeSlackTeam {
    const team = this.options.workspaces.find((t) => t.teamId === teamId);
    if (!team) throw new Error(`no installable workspace ${teamId}`);
    return team;
  }

  /**
   * GET /oauth/v2/authorize?client_id&scope&state&redirect_uri&team: a person of `team` (Slack's own parameter
   * for preselecting the workspace) approves, and the browser is sent to the redirect URL with code and state.
   */
  serveAuthorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    if (q.get("client_id") !== this.options.clientId) return page(res, 400, "invalid_client_id");
    const team = this.options.workspaces.find((t) => t.teamId === q.get("team"));
    if (!team) return page(res, 400, "the fake needs ?team=<teamId> of an installable workspace");
    const redirectUri = q.get("redirect_uri") ?? undefined;
    const target = redirectUri ?? this.options.redirectUri;
    if (!target) return page(res, 400, "bad_redirect_uri");
    const code = `code-${randomUUID()}`;
    this.grants.set(code, { team, scope: q.get("scope") ?? "", redirectUri });
    const location = new URL(target);
    location.searchParams.set("code", code);
    const state = q.get("state");
    if (state !== null) location.searchParams.set("state", state);
    res.writeHead(302, { location: location.toString() });
    res.end();
  }

  /** oauth.v2.access: `{ ok, access_token, token_type, scope, bot_user_id, app_id, team, enterprise, authed_user, is_enterprise_install }`. */
  exchange(req: IncomingMessage, fields: Record<string, unknown>, appId: string): Record<string, unknown> {
    const basic = req.headers.authorization?.startsWith("Basic ") ? Buffer.from(req.headers.authorization.slice(6), "base64").toString("utf8").split(":") : [];
    const clientId = typeof fields.client_id === "string" ? fields.client_id : basic[0];
    const clientSecret = typeof fields.client_secret === "string" ? fields.client_secret : basic[1];
    if (clientId !== this.options.clientId) return { ok: false, error: "invalid_client_id" };
    if (clientSecret !== this.options.clientSecret) return { ok: false, error: "bad_client_secret" };
    const code = typeof fields.code === "string" ? fields.code : "";
    const grant = this.grants.get(code);
    if (!grant) return { ok: false, error: "invalid_code" };
    this.grants.delete(code);
    const redirectUri = typeof fields.redirect_uri === "string" && fields.redirect_uri !== "" ? fields.redirect_uri : undefined;
    if (grant.redirectUri !== redirectUri) return { ok: false, error: "bad_redirect_uri" };
    const team = grant.team;
    this.installed.set(team.botToken, team);
    // An org-wide install has no team: the token speaks for every workspace of the org.
    if (team.enterpriseId !== undefined) {
      return {
        ok: true,
        access_token: team.botToken,
        token_type: "bot",
        scope: team.scopes.join(","),
        bot_user_id: team.botUserId,
        app_id: appId,
        team: null,
        enterprise: { id: team.enterpriseId, name: team.teamName },
        authed_user: { id: "U0INSTALLER" },
        is_enterprise_install: true,
      };
    }
    return {
      ok: true,
      access_token: team.botToken,
      token_type: "bot",
      scope: team.scopes.join(","),
      bot_user_id: team.botUserId,
      app_id: appId,
      team: { id: team.teamId, name: team.teamName },
      enterprise: null,
      authed_user: { id: "U0INSTALLER" },
      is_enterprise_install: false,
    };
  }
}

function page(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(text);
}
