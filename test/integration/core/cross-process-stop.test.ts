import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { Bridge } from "../../../src/app/create-bridge.js";
import { parseCoreConfig } from "../../../src/config/config.js";
import type { InboundEvent } from "../../../src/contracts/chat-platform.js";
import type { InboundMessage } from "../../../src/contracts/messages.js";
import { BridgeMetrics } from "../../../src/observability/metrics.js";
import { createGate, FakeDifyServer, scripts, steps } from "../../fakes/dify/index.js";
import { FakePlatform } from "../../fakes/fake-platform.js";
import { eventually } from "../../support/bridge-harness.js";
import { captureLogger } from "../../support/capture-logger.js";
import { deleteByPrefix, REDIS_URL } from "../../support/redis.js";

function messageOf(e: InboundEvent): InboundMessage {
  if (e.kind !== "message") throw new Error("not a message");
  return e.message;
}

/**
 * A scaled-out deployment in one test: an ingress bridge (receives messages and clicks) and a worker bridge
 * (streams answers), separate Redis connections and subscribers on one Redis, each with its own platform client.
 */
describe("Stop across processes", () => {
  const bridges: Bridge[] = [];
  const servers: FakeDifyServer[] = [];
  let prefix = "";
  afterEach(async () => {
    for (const b of bridges.splice(0)) await b.shutdown();
    for (const s of servers.splice(0)) await s.close();
    const redis = new Redis(REDIS_URL);
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  async function bridge(role: "ingress" | "worker", platform: FakePlatform, dify: FakeDifyServer): Promise<Bridge> {
    const parsed = parseCoreConfig({
      DIFY_API_URL: dify.baseUrl,
      DIFY_API_KEY: dify.apiKey,
      REDIS_URL,
      PORT: "0",
      BRIDGE_ROLE: role,
      USER_RATE_LIMIT: "off",
      SHUTDOWN_GRACE_MS: "2000",
    });
    if (!parsed.ok) throw new Error(parsed.issues.join("\n"));
    const b = new Bridge({
      config: parsed.value,
      platforms: [platform],
      logger: captureLogger(),
      redisPrefix: prefix,
      queueName: "replies",
      metrics: new BridgeMetrics({ defaultMetrics: false }),
      http: false,
    });
    await b.start();
    bridges.push(b);
    return b;
  }

  it("a Stop the ingress receives reaches the worker streaming the answer: Dify's task is stopped for the thread's user, the reply says ⏹ Stopped", async () => {
    prefix = `test-${randomUUID().slice(0, 8)}`;
    const dify = await FakeDifyServer.start();
    // The ingress talks to a Dify of its own, so only the streaming worker can stop the real task: the stop has to
    // travel from the ingress to that worker.
    const ingressDify = await FakeDifyServer.start();
    servers.push(dify, ingressDify);
    // Dify accepts the question but names no task until the gate opens: the click comes before the ingress could
    // know the task id from the turn record.
    const accepted = createGate();
    dify.onChat(() => [steps.waitFor(accepted), ...scripts.hang("Thinking out loud")]);
    const ingressPlatform = new FakePlatform();
    const workerPlatform = new FakePlatform();
    await bridge("worker", workerPlatform, dify);
    await bridge("ingress", ingressPlatform, ingressDify);

    const msg = messageOf(ingressPlatform.message({ text: "Write me a novel" }));
    await ingressPlatform.emit({ kind: "message", message: msg });
    const placeholder = await eventually(() => workerPlatform.visibleMessages({ channelId: "C1", threadId: msg.messageId })[0]);
    await eventually(() => dify.chatRequests.length === 1);
    const stop = placeholder.content.buttons?.find((b) => b.label === "Stop")?.actionId ?? "";
    await ingressPlatform.emit(ingressPlatform.click(placeholder.ref, stop, msg.author, msg.conversationKey, msg.replyTarget));
    accepted.open();

    const stopped = await eventually(() => dify.stopRequests.find((s) => s.stoppedStream), 8_000);
    expect(stopped).toMatchObject({ taskId: dify.streams[0]?.taskId, user: msg.conversationKey });
    expect(await dify.streams[0]?.done).toBe("stopped");
    const reply = await eventually(() => {
      const [m] = workerPlatform.visibleMessages({ channelId: "C1", threadId: msg.messageId });
      return m?.content.markdown.endsWith("⏹ Stopped") ? m : undefined;
    });
    expect(reply.content.markdown).toBe("Thinking out loud\n\n⏹ Stopped");
    expect(reply.content.buttons ?? []).toEqual([]);
    expect(ingressDify.stopRequests).toEqual([]);
  });
});
