import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseSlackConfig } from "../../../adapters/slack/config.js";
import { createSlackPlatform } from "../../../adapters/slack/index.js";
import { Bridge } from "../../../src/app/create-bridge.js";
import { parseCoreConfig } from "../../../src/config/config.js";
import { BridgeMetrics } from "../../../src/observability/metrics.js";
import type { BridgeJobData } from "../../../src/queue/job-types.js";
import { queuePrefix } from "../../../src/state/redis-keys.js";
import { createGate, FakeDifyServer, scripts, steps } from "../../fakes/dify/index.js";
import { FakeSlackApi, SlackEventsSender, slackTs } from "../../fakes/slack/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { type BridgeProcess, startBridgeProcess } from "../../support/bridge-process.js";
import { captureLogger } from "../../support/capture-logger.js";
import { deleteByPrefix, openRedis, REDIS_IS_CLUSTER, REDIS_URL } from "../../support/redis.js";

const SIGNING_SECRET = "process-test-signing-secret";

/**
 * The real service (`node --import tsx src/main.ts`) as worker processes, with an ingress in this process
 * receiving signed Slack events: what a scaled-out deployment runs, against the fake Slack and Dify.
 */
describe("worker processes: crash recovery and graceful shutdown", () => {
  let slack: FakeSlackApi;
  let dify: FakeDifyServer;
  let ingress: Bridge;
  let prefix: string;
  const workers: BridgeProcess[] = [];

  function workerEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      BRIDGE_ROLE: "worker",
      DIFY_API_URL: dify.baseUrl,
      DIFY_API_KEY: dify.apiKey,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      PORT: "0",
      SLACK_BOT_TOKEN: slack.team.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      JOB_LOCK_MS: "3000",
      ...extra,
    };
  }

  function spawnWorker(extra?: Record<string, string>): BridgeProcess {
    const w = startBridgeProcess(workerEnv(extra));
    workers.push(w);
    return w;
  }

  async function mention(text: string): Promise<{ channel: string; ts: string }> {
    const ts = slackTs();
    const body = slack.payloads.envelope(slack.payloads.appMention({ channel: "C0GENERAL", user: "U1", text: `<@${slack.team.botUserId}> ${text}`, ts }));
    const res = await new SlackEventsSender(`http://127.0.0.1:${ingress.httpPort}/slack/events`, SIGNING_SECRET).sendEvent(body);
    expect(res.status).toBe(200);
    return { channel: "C0GENERAL", ts };
  }

  /** The answer's job as BullMQ keeps it (the only reply job of the test). */
  async function replyJobRecord() {
    const connection = openRedis(REDIS_URL, { blocking: true });
    const queue = new Queue<BridgeJobData>("dify-bridge", { connection, prefix: queuePrefix(prefix, { hashTags: REDIS_IS_CLUSTER }) });
    try {
      const jobs = (await queue.getJobs(["completed", "failed", "active", "waiting", "delayed"])).filter((j) => j.data.kind === "reply");
      expect(jobs).toHaveLength(1);
      const job = jobs[0];
      return { state: await job?.getState(), stalledCounter: job?.stalledCounter, attemptsMade: job?.attemptsMade, failedReason: job?.failedReason };
    } finally {
      await queue.close();
      connection.disconnect();
    }
  }

  const botReplies = (where: { channel: string; ts: string }) => slack.messages.thread(where.channel, where.ts).filter((m) => m.botId);

  beforeEach(async () => {
    prefix = `proc-${randomUUID().slice(0, 8)}`;
    slack = await FakeSlackApi.start();
    dify = await FakeDifyServer.start();
    const core = parseCoreConfig({
      DIFY_API_URL: dify.baseUrl,
      DIFY_API_KEY: dify.apiKey,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      PORT: "0",
      BRIDGE_ROLE: "ingress",
      USER_RATE_LIMIT: "off",
    });
    const slackConfig = parseSlackConfig({ SLACK_BOT_TOKEN: slack.team.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl });
    if (!core.ok || !slackConfig.ok || !slackConfig.value) throw new Error("bad test config");
    const logger = captureLogger();
    ingress = new Bridge({
      config: core.value,
      platforms: [createSlackPlatform(slackConfig.value, { logger })],
      logger,
      metrics: new BridgeMetrics({ defaultMetrics: false }),
    });
    await ingress.start();
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
      await w.exited;
    }
    await ingress.shutdown();
    await dify.close();
    await slack.close();
    const redis = openRedis();
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  it("a worker killed mid-stream: another worker recovers the job, shows what Dify kept, never asks twice or posts twice", async () => {
    const answer = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    dify.onChat(() => scripts.answer(answer, { chunkChars: 6, delayMs: 120 }));
    const first = spawnWorker();
    await first.waitForLog((l) => l.msg === "dify-bridge started");
    const where = await mention("Tell me a long story");

    // The answer is streaming in the first worker (its text has been updated at least once after the first
    // words). Kill it without warning.
    await eventually(
      () => botReplies(where).some((m) => m.markdown.startsWith("word0") && m.revisions.filter((r) => r.markdown.startsWith("word0")).length >= 2),
      15_000,
    );
    first.child.kill("SIGKILL");
    await first.exited;

    const second = spawnWorker();
    const reply = await eventually(() => {
      const replies = botReplies(where);
      const last = replies.at(-1);
      return last && /⚠️/.test(last.markdown) ? replies : undefined;
    }, 25_000).catch((err: unknown) => {
      // What the thread and the second worker show, to tell a slow recovery from a wrong one.
      const states = botReplies(where).map((m) => m.revisions.map((r) => `${r.via}: ${r.markdown.slice(0, 60)}`));
      throw new Error(`no recovered reply: ${JSON.stringify(states)}; second worker: ${JSON.stringify(second.logs.map((l) => l.msg))}`, { cause: err });
    });
    await second.waitForLog((l) => l.msg === "recovering an interrupted answer");
    // Recovered the bounded way: the dead worker's job lock (JOB_LOCK_MS 3 s here) lapsed, stalled-job detection
    // handed the job to the other worker once, and it completed there without ever failing (no retry backoff).
    expect(await eventually(async () => ((await replyJobRecord()).state === "completed" ? replyJobRecord() : undefined))).toEqual({
      state: "completed",
      stalledCounter: 1,
      attemptsMade: 1,
      failedReason: undefined,
    });

    expect(reply).toHaveLength(1); // the placeholder, edited in place: no second reply
    const stored = dify.store.messages.get(dify.streams[0]?.messageId ?? "")?.answer ?? "";
    const text = reply[0]?.markdown ?? "";
    if (stored) expect(text).toBe(`${stored}\n\n⚠️ Recovered after an interruption: this answer may be incomplete.`);
    else expect(text).toBe("⚠️ Interrupted: the bridge restarted while answering.");
    expect(dify.chatRequests).toHaveLength(1); // never asked twice
    expect(dify.stopRequests.map((s) => s.taskId)).toContain(dify.streams[0]?.taskId);
  }, 60_000);

  it("SIGTERM mid-stream: the answer finishes within the grace period and the process exits 0", async () => {
    dify.onChat(() => scripts.answer("A short answer that finishes in time.", { chunkChars: 5, delayMs: 80 }));
    const worker = spawnWorker({ SHUTDOWN_GRACE_MS: "10000" });
    await worker.waitForLog((l) => l.msg === "dify-bridge started");
    const where = await mention("Quick one");
    await eventually(() => botReplies(where).some((m) => m.markdown.startsWith("A sho")), 15_000);
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    expect(botReplies(where).map((m) => m.markdown)).toEqual(["A short answer that finishes in time."]);
  });

  it("SIGTERM mid-stream past the grace period: the Dify task is stopped, the reply marked interrupted, exit 0", async () => {
    const gate = createGate();
    dify.onChat(() => [steps.message("The first part"), steps.waitFor(gate), ...scripts.answer(" and the rest")]);
    const worker = spawnWorker({ SHUTDOWN_GRACE_MS: "1000" });
    await worker.waitForLog((l) => l.msg === "dify-bridge started");
    const where = await mention("Slow one");
    await eventually(() => botReplies(where).some((m) => m.markdown === "The first part"), 15_000);
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    gate.open();
    const [reply] = botReplies(where);
    expect(reply?.markdown).toBe("The first part\n\n⚠️ Interrupted: the bridge restarted while answering.");
    expect(JSON.stringify(reply?.blocks)).toContain("Retry");
    expect(dify.stopRequests.map((s) => s.taskId)).toContain(dify.streams[0]?.taskId);
  });
});
