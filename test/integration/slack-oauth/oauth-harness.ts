import { randomBytes } from "node:crypto";
import { parseSlackConfig } from "../../../adapters/slack/config.js";
import { encodeConversationKey } from "../../../adapters/slack/ids.js";
import { createSlackPlatform } from "../../../adapters/slack/index.js";
import { RedisInstallationVault } from "../../../src/installations/redis-installation-vault.js";
import { DEFAULT_FAKE_TEAM, FakeSlackApi, type FakeSlackMessage, type FakeSlackTeam, SlackEventsSender, slackTs } from "../../fakes/slack/index.js";
import { type BridgeHarness, eventually, startBridge } from "../../support/bridge-harness.js";
import { captureLogger, type LogEntry } from "../../support/capture-logger.js";

const SIGNING_SECRET = "oauth-signing-secret";
const CLIENT_ID = "1234567890.0987654321";
const CLIENT_SECRET = "fake-client-secret";

/** Two workspaces that may install the app, each with the bot token Slack will issue it. */
export const TEAM_A: FakeSlackTeam = {
  ...DEFAULT_FAKE_TEAM,
  teamId: "T0AAA",
  teamName: "Alpha",
  botToken: "xoxb-alpha-1111-secret",
  botUserId: "UBOTA",
  botId: "BBOTA",
};
/** A workspace of an Enterprise Grid org where the app is installed org-wide. */
export const GRID: FakeSlackTeam = {
  ...DEFAULT_FAKE_TEAM,
  teamId: "T0GRIDWS",
  enterpriseId: "E0GRID",
  teamName: "Grid",
  botToken: "xoxb-grid-3333-secret",
  botUserId: "UBOTG",
  botId: "BBOTG",
};
export const TEAM_B: FakeSlackTeam = {
  ...DEFAULT_FAKE_TEAM,
  teamId: "T0BBB",
  teamName: "Beta",
  botToken: "xoxb-beta-2222-secret",
  botUserId: "UBOTB",
  botId: "BBOTB",
};

export interface Asked {
  readonly team: FakeSlackTeam;
  readonly channel: string;
  readonly ts: string;
  readonly conversationKey: string;
}

/**
 * The bridge with the REAL Slack adapter in OAuth mode (Bolt's installer, Bolt's authorize, the HTTP Events
 * API) against the fake Slack serving two installable workspaces, and the real core on Redis.
 */
export class OAuthE2E {
  private constructor(
    readonly slack: FakeSlackApi,
    readonly h: BridgeHarness,
    readonly vault: RedisInstallationVault,
    readonly tokenKey: string,
    readonly adapterLogs: LogEntry[],
    private readonly sender: SlackEventsSender | undefined,
  ) {}

  static async start(opts: { tokenKey?: string; transport?: "http" | "socket" } = {}): Promise<OAuthE2E> {
    const isSocket = opts.transport === "socket";
    const slack = await FakeSlackApi.start({
      users: [{ id: "U0ANA", name: "ana" }],
      oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, workspaces: [TEAM_A, TEAM_B, GRID] },
      ...(isSocket ? { socketMode: { pingIntervalMs: 1_000, ackTimeoutMs: 3_000 } } : {}),
    });
    const tokenKey = opts.tokenKey ?? randomBytes(32).toString("base64");
    const parsed = parseSlackConfig({
      SLACK_CLIENT_ID: CLIENT_ID,
      SLACK_CLIENT_SECRET: CLIENT_SECRET,
      SLACK_STATE_SECRET: "oauth-state-secret",
      SLACK_TOKEN_KEY: tokenKey,
      ...(isSocket ? { SLACK_APP_TOKEN: slack.team.appToken } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
      SLACK_API_URL: slack.apiUrl,
      SLACK_STREAMING: "edit",
    });
    if (!parsed.ok || parsed.value === null) throw new Error(`bad Slack OAuth test config: ${JSON.stringify(parsed)}`);
    const adapterLogs: LogEntry[] = [];
    const vault = new RedisInstallationVault();
    const platform = createSlackPlatform(parsed.value, { logger: captureLogger(adapterLogs), installations: vault });
    const h = await startBridge({ platforms: [platform], http: true, installations: vault });
    const base = `http://127.0.0.1:${h.bridge.httpPort}`;
    if (slack.oauth) slack.oauth.options.redirectUri = `${base}/slack/oauth_redirect`;
    const sender = isSocket ? undefined : new SlackEventsSender(`${base}/slack/events`, SIGNING_SECRET);
    return new OAuthE2E(slack, h, vault, tokenKey, adapterLogs, sender);
  }

  get base(): string {
    return `http://127.0.0.1:${this.h.bridge.httpPort}`;
  }

  async close(): Promise<void> {
    try {
      await this.h.close();
    } finally {
      await this.slack.close();
    }
  }

  /**
   * A person of `team` installs the app the way a browser does: the install page (state cookie, link to Slack's
   * authorize page), Slack's approval (a redirect with code and state), then the bridge's redirect URL with the
   * cookie. Returns the redirect page's status.
   */
  async install(team: FakeSlackTeam, opts: { cookie?: boolean } = {}): Promise<number> {
    const page = await fetch(`${this.base}/slack/install`);
    const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const html = await page.text();
    const href = /href="([^"]*oauth\/v2\/authorize[^"]*)"/.exec(html)?.[1];
    if (!href) throw new Error(`no authorize link on the install page: ${html.slice(0, 300)}`);
    const authorize = new URL(href.replaceAll("&amp;", "&"));
    authorize.searchParams.set("team", team.teamId);
    const approved = await fetch(authorize, { redirect: "manual" });
    const location = approved.headers.get("location");
    if (approved.status !== 302 || !location) throw new Error(`authorize answered ${approved.status}: ${await approved.text()}`);
    const done = await fetch(location, { headers: opts.cookie === false ? {} : { cookie } });
    await done.text();
    return done.status;
  }

  /** Over HTTP: a signed Events API post that must get a 200; over Socket Mode: an envelope that must be acked. */
  async send(body: Record<string, unknown>): Promise<void> {
    if (!this.sender) {
      if ((await this.slack.socket.deliver(body)) === null) throw new Error("Socket Mode envelope was not acknowledged");
      return;
    }
    const res = await this.sender.sendEvent(body);
    if (res.status !== 200) throw new Error(`Events API answered ${res.status}: ${res.body}`);
  }

  /** A channel mention in `team`, as Slack sends it (app_mention and message), stored in the fake's channel. */
  async mention(team: FakeSlackTeam, channel: string, text: string): Promise<Asked> {
    const payloads = this.slack.payloadsFor(team.teamId);
    const ts = slackTs();
    const full = `<@${team.botUserId}> ${text}`;
    this.slack.messages.add({ channel, ts, user: "U0ANA", text: full, via: "user" });
    await this.send(payloads.envelope(payloads.appMention({ channel, user: "U0ANA", ts, text: full })));
    await this.send(payloads.envelope(payloads.message({ channel, user: "U0ANA", ts, text: full })));
    return { team, channel, ts, conversationKey: encodeConversationKey({ workspaceId: team.teamId, channelId: channel, threadId: ts }) };
  }

  /** The bot's final reply in the thread, once it shows `expected` and no Stop button. */
  async answerOf(q: Asked, expected: string): Promise<FakeSlackMessage> {
    return eventually(() => {
      const mine = this.slack.messages.thread(q.channel, q.ts).filter((m) => m.user === q.team.botUserId);
      return mine.find((m) => m.markdown === expected && !JSON.stringify(m.blocks).includes('"Stop"'));
    }, 15_000);
  }
}
