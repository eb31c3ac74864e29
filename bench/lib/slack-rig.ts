import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { parseSlackConfig } from "../../adapters/slack/config.js";
import { createSlackPlatform } from "../../adapters/slack/index.js";
import { Bridge } from "../../src/app/create-bridge.js";
import { parseCoreConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logging/logger.js";
import { BridgeMetrics } from "../../src/observability/metrics.js";
import { FakeDifyServer } from "../../test/fakes/dify/index.js";
import { FakeSlackApi, SlackEventsSender, slackTs } from "../../test/fakes/slack/index.js";
import { deleteByPrefix } from "../../test/support/redis.js";
import type { Visible } from "./display-lag.js";
import { type PeerCommand, startPeer } from "./peer.js";
import { now } from "./stats.js";

const SIGNING_SECRET = "bench-signing-secret";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** The real bridge (core + Slack adapter over HTTP) in this process, against a fresh fake Slack and Dify. */
export interface SlackRig {
  readonly slack: FakeSlackApi;
  readonly dify: FakeDifyServer;
  /** The bridge under test in this process; undefined when a peer command runs in its own process. */
  readonly bridge: Bridge | undefined;
  /** Sends a signed app_mention; returns where the answer goes and when the event was sent. */
  mention(channel: string, text: string): Promise<{ channel: string; ts: string; sentAt: number }>;
  /** Every state the bot's messages in a thread went through (Markdown shown), oldest first. */
  replyStates(channel: string, ts: string): Visible[];
  /** What the thread shows now: the bot's messages that are not deleted, joined. */
  finalText(channel: string, ts: string): string;
  close(): Promise<void>;
}

/** Deletes everything a shared bench prefix accumulated. */
export async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
}

export interface SlackRigOptions {
  readonly streaming: "auto" | "edit" | "native";
  readonly tiers?: boolean;
  readonly env?: Record<string, string>;
  /**
   * Redis prefix to share between rigs (so the bridge keeps what it learned, e.g. typical answer duration);
   * each rig is still a fresh workspace with full budgets. Default: a new prefix, deleted on close.
   */
  readonly prefix?: string;
  /** Another bridge to measure instead of this one, started as its own process against the same fakes. */
  readonly peer?: PeerCommand;
  /**
   * This bridge in a process of its own, compiled as the image runs it (`node dist/src/main.js`, built by the
   * caller), so the fakes do not share its event loop (a platform never does). Default: in this process.
   */
  readonly ownProcess?: boolean;
}

/** This bridge as a peer command: the compiled service (see `SlackRigOptions.ownProcess`). */
const OWN_PROCESS: PeerCommand = { name: "bridge", command: `"${process.execPath}" dist/src/main.js`, eventsPath: "/slack/events" };

let workspaceSeq = 0;

export async function startSlackRig(opts: SlackRigOptions): Promise<SlackRig> {
  const team = { teamId: `TBENCH${String(++workspaceSeq).padStart(4, "0")}${randomUUID().slice(0, 4).toUpperCase()}` };
  const slack = await FakeSlackApi.start({ team, ...(opts.tiers === false ? { tiers: false } : {}) });
  const dify = await FakeDifyServer.start({ pingIntervalMs: 0 });
  const ownsPrefix = opts.prefix === undefined;
  const prefix = opts.prefix ?? `bench-${randomUUID().slice(0, 8)}`;
  const core = parseCoreConfig({
    DIFY_API_URL: dify.baseUrl,
    DIFY_API_KEY: dify.apiKey,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    PORT: "0",
    USER_RATE_LIMIT: "off",
    WORKER_CONCURRENCY: "2000",
    ...opts.env,
  });
  const slackConfig = parseSlackConfig({
    SLACK_BOT_TOKEN: slack.team.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SLACK_STREAMING: opts.streaming,
  });
  if (!core.ok || !slackConfig.ok || !slackConfig.value) throw new Error("bench configuration is invalid");
  const logger = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? "error", pretty: false, secrets: [] });
  let bridge: Bridge | undefined;
  let eventsUrl: string;
  let stopPeer: (() => Promise<void>) | undefined;
  const peerCommand = opts.peer ?? (opts.ownProcess ? OWN_PROCESS : undefined);
  if (peerCommand) {
    const peer = await startPeer(peerCommand, {
      SLACK_BOT_TOKEN: slack.team.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_STREAMING: opts.streaming,
      DIFY_API_URL: dify.baseUrl,
      DIFY_API_KEY: dify.apiKey,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      USER_RATE_LIMIT: "off",
      WORKER_CONCURRENCY: "2000",
      LOG_LEVEL: "warn",
      // The bridge's own settings for the run; a peer gets the common ones only.
      ...(opts.peer ? {} : opts.env),
    });
    eventsUrl = peer.eventsUrl;
    stopPeer = peer.stop;
  } else {
    bridge = new Bridge({
      config: core.value,
      platforms: [createSlackPlatform(slackConfig.value, { logger })],
      logger,
      metrics: new BridgeMetrics({ defaultMetrics: false }),
    });
    await bridge.start();
    eventsUrl = `http://127.0.0.1:${bridge.httpPort}/slack/events`;
  }
  const sender = new SlackEventsSender(eventsUrl, SIGNING_SECRET);
  let userSeq = 0;
  return {
    slack,
    dify,
    bridge,
    async mention(channel, text) {
      const ts = slackTs();
      const user = `U${String(++userSeq).padStart(6, "0")}`;
      const body = slack.payloads.envelope(slack.payloads.appMention({ channel, user, text: `<@${slack.team.botUserId}> ${text}`, ts }));
      const sentAt = now();
      const res = await sender.sendEvent(body);
      if (res.status !== 200) throw new Error(`event refused: ${res.status}`);
      return { channel, ts, sentAt };
    },
    replyStates(channel, ts) {
      return slack.messages
        .thread(channel, ts, { includeDeleted: true })
        .filter((m) => m.botId)
        .flatMap((m) => m.revisions.filter((r) => r.via !== "chat.delete").map((r) => ({ at: r.atMs, text: r.markdown })))
        .sort((a, b) => a.at - b.at);
    },
    finalText(channel, ts) {
      return slack.messages
        .thread(channel, ts)
        .filter((m) => m.botId && !m.isDeleted)
        .map((m) => m.markdown)
        .join("");
    },
    async close() {
      await bridge?.shutdown();
      await stopPeer?.();
      await dify.close();
      await slack.close();
      if (!ownsPrefix) return;
      const redis = new Redis(REDIS_URL);
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}
