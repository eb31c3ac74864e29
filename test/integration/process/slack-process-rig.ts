import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { parseSlackConfig } from "../../../adapters/slack/config.js";
import { createSlackPlatform } from "../../../adapters/slack/index.js";
import { Bridge } from "../../../src/app/create-bridge.js";
import { parseCoreConfig } from "../../../src/config/config.js";
import { BridgeMetrics } from "../../../src/observability/metrics.js";
import { FakeDifyServer, type FakeDifyStartOptions } from "../../fakes/dify/index.js";
import { FakeSlackApi, type FakeSlackMessage, SlackEventsSender, slackTs } from "../../fakes/slack/index.js";
import { type BridgeProcess, startBridgeProcess } from "../../support/bridge-process.js";
import { captureLogger } from "../../support/capture-logger.js";
import { deleteByPrefix, openRedis, REDIS_URL } from "../../support/redis.js";

export const SIGNING_SECRET = "process-rig-signing-secret";
const CHANNEL = "C0GENERAL";

/**
 * The fake Slack and Dify, one Redis prefix, in-process bridges (an ingress, or a whole bridge) and worker
 * processes that a test may SIGKILL: what the tests of work surviving a process share.
 */
export class SlackProcessRig {
  private readonly bridges: Bridge[] = [];
  private readonly workers: BridgeProcess[] = [];

  private constructor(
    readonly slack: FakeSlackApi,
    private currentDify: FakeDifyServer,
    readonly prefix: string,
    private readonly slackSettings: Readonly<Record<string, string>>,
  ) {}

  /** `slackEnv`: SLACK_* settings besides the token, secret and API URL (SLACK_STREAMING defaults to edit). */
  static async start(opts: { name: string; slackEnv?: Record<string, string>; dify?: FakeDifyStartOptions }): Promise<SlackProcessRig> {
    const slack = await FakeSlackApi.start();
    const dify = await FakeDifyServer.start(opts.dify);
    return new SlackProcessRig(slack, dify, `${opts.name}-${randomUUID().slice(0, 8)}`, { SLACK_STREAMING: "edit", ...opts.slackEnv });
  }

  get dify(): FakeDifyServer {
    return this.currentDify;
  }

  /** Another Dify server from now on (another version, say); start bridges and workers after this. */
  async replaceDify(opts?: FakeDifyStartOptions): Promise<FakeDifyServer> {
    await this.currentDify.close();
    this.currentDify = await FakeDifyServer.start(opts);
    return this.currentDify;
  }

  slackEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      SLACK_BOT_TOKEN: this.slack.team.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: this.slack.apiUrl,
      ...this.slackSettings,
      ...extra,
    };
  }

  coreEnv(): Record<string, string> {
    return { DIFY_API_URL: this.dify.baseUrl, DIFY_API_KEY: this.dify.apiKey, REDIS_URL, REDIS_PREFIX: this.prefix, PORT: "0", USER_RATE_LIMIT: "off" };
  }

  /** A bridge in this process (the real Slack adapter), e.g. the ingress the workers share. */
  async startInProcess(role: "ingress" | "all", core: Record<string, string> = {}): Promise<Bridge> {
    const parsedCore = parseCoreConfig({ ...this.coreEnv(), BRIDGE_ROLE: role, ...core });
    const slackConfig = parseSlackConfig(this.slackEnv());
    if (!parsedCore.ok || !slackConfig.ok || !slackConfig.value) throw new Error("bad test config");
    const bridge = new Bridge({
      config: parsedCore.value,
      platforms: [createSlackPlatform(slackConfig.value, { logger: captureLogger() })],
      logger: captureLogger(),
      metrics: new BridgeMetrics({ defaultMetrics: false }),
    });
    this.bridges.push(bridge);
    await bridge.start();
    return bridge;
  }

  /** Shuts an in-process bridge down now (a restart), rather than when the rig closes. */
  async shutdown(bridge: Bridge): Promise<void> {
    this.bridges.splice(this.bridges.indexOf(bridge), 1);
    await bridge.shutdown();
  }

  /** Signs Events API posts and interactions the way Slack does, for `bridge`. */
  sender(bridge: Bridge): SlackEventsSender {
    return new SlackEventsSender(`http://127.0.0.1:${bridge.httpPort}/slack/events`, SIGNING_SECRET);
  }

  /** A worker process with a 3 s job lock, started once it says so. `env` overrides SLACK_* settings too. */
  async spawnWorker(env: Record<string, string> = {}): Promise<BridgeProcess> {
    const w = startBridgeProcess({ ...this.coreEnv(), ...this.slackEnv(), BRIDGE_ROLE: "worker", JOB_LOCK_MS: "3000", ...env });
    this.workers.push(w);
    await w.waitForLog((l) => l.msg === "dify-bridge started");
    return w;
  }

  /** A signed app_mention of `text` by U1 in the general channel, accepted by `bridge`; returns its ts. */
  async mention(bridge: Bridge, text: string): Promise<string> {
    const ts = slackTs();
    const body = this.slack.payloads.envelope(
      this.slack.payloads.appMention({ channel: CHANNEL, user: "U1", text: `<@${this.slack.team.botUserId}> ${text}`, ts }),
    );
    expect((await this.sender(bridge).sendEvent(body)).status).toBe(200);
    return ts;
  }

  /** The bot's messages in the thread of `ts`. */
  botMessages(ts: string): FakeSlackMessage[] {
    return this.slack.messages.thread(CHANNEL, ts).filter((m) => m.botId);
  }

  async close(): Promise<void> {
    for (const w of this.workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
      await w.exited;
    }
    for (const b of this.bridges.splice(0)) await b.shutdown();
    await this.dify.close();
    await this.slack.close();
    const redis = openRedis();
    await deleteByPrefix(redis, this.prefix);
    redis.disconnect();
  }
}
