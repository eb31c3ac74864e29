import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { type BridgeHarness, eventually, startBridge } from "../../support/bridge-harness.js";
import { keysByPrefix } from "../../support/redis.js";

describe("HTTP endpoints and Redis hygiene", () => {
  let h: BridgeHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("/healthz, /readyz and /metrics answer; readiness drops when shutdown begins", async () => {
    h = await startBridge({ http: true });
    const base = `http://127.0.0.1:${h.bridge.httpPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", checks: { redis: true, slack: true, draining: false } });

    h.dify.onChat(() => scripts.answer("Counted."));
    await h.platform.emit(h.platform.message({ text: "Count me" }));
    await eventually(() => h?.platform.opsOf("edit").some((o) => o.content?.markdown === "Counted."));
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/bridge_messages_received_total\{platform="slack"\} 1/);
    expect(metrics).toMatch(/bridge_replies_completed_total\{platform="slack",outcome="ok"\} 1/);
    expect(metrics).toMatch(/bridge_first_visible_token_seconds_count\{platform="slack"\} 1/);
    expect(metrics).toMatch(/bridge_ack_seconds_count\{platform="slack"\} 1/);
    expect(metrics).toMatch(/bridge_queue_depth\{state="waiting"\} 0/);
    expect(metrics).toMatch(/bridge_platform_calls_total\{platform="slack",op="edit"\} \d+/);

    const closing = h.bridge.shutdown();
    const during = await fetch(`${base}/readyz`).catch(() => undefined);
    if (during) expect(during.status).toBe(503);
    await closing;
  });

  it("every key the bridge writes for a conversation has a TTL", async () => {
    h = await startBridge();
    h.dify.onChat(() => scripts.answer("Stored."));
    const e = h.platform.message({ text: "Remember" });
    await h.platform.emit(e);
    const reply = await eventually(() => h?.platform.visibleMessages({ channelId: "C1" }).find((m) => m.content.markdown === "Stored."));
    await h.platform.emit(h.platform.reaction(reply.ref, { userId: "U1", reaction: "thumbs_up", added: true }));
    await eventually(() => h?.dify.feedbackRequests.length === 1);
    // The feedback job releases its lock after Dify answered: scanning before that could see the lock vanish.
    await eventually(async () => (await h?.redis.exists(h.key("fblock", h.dify.streams[0]?.messageId ?? ""))) === 0);
    const keys = await keysByPrefix(h.redis, h.prefix);
    // The queue's own bookkeeping (BullMQ, under "<prefix>:replies:", "{<prefix>}:replies:" on a Cluster) is not
    // per conversation.
    const ours = keys.filter((k) => !k.startsWith(`${h?.prefix}:replies:`) && !k.startsWith(`{${h?.prefix}}:replies:`));
    expect(ours.length).toBeGreaterThan(5);
    const withoutTtl = [];
    for (const k of ours) if ((await h.redis.pttl(k)) < 0) withoutTtl.push(k);
    expect(withoutTtl).toEqual([]);
  });
});
