import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SlackPlatform } from "../../../adapters/slack/slack-platform.js";
import { FakeSlackApi, slackTs } from "../../fakes/slack/index.js";
import { createCapturingLogger, slackConfigFor, startSocketPlatform } from "./harness.js";

describe("Slack Socket Mode ingress (real Bolt, fake Slack)", () => {
  let fake: FakeSlackApi;
  let h: Awaited<ReturnType<typeof startSocketPlatform>>;

  beforeEach(async () => {
    fake = await FakeSlackApi.start({ socketMode: { pingIntervalMs: 1_000, ackTimeoutMs: 1_000 } });
    h = await startSocketPlatform(fake);
  });
  afterEach(async () => {
    // The adapter closes its side first; the fake then waits for the socket to go away (no 30 s ping timer).
    await h.platform.stop();
    await fake.close();
  });

  it("connects with the app-level token and serves no HTTP route", () => {
    const open = fake.callsTo("apps.connections.open");
    expect(open).toHaveLength(1);
    expect(open[0]?.auth).toBe("app");
    expect(fake.socket.openConnections).toBe(1);
    expect(h.platform.isReady()).toBe(true);
    expect(h.platform.httpRoutes).toBeUndefined();
  });

  it("acks an event only after the sink accepted it", async () => {
    const [mention] = fake.payloads.mentionPair({ channel: "C1", user: "U1", text: "<@UBOT> over the socket" });
    const ack = await fake.socket.deliver(mention);
    expect(ack).not.toBeNull();
    // The event is in the sink by the time the ack arrives.
    expect(h.captured.events).toHaveLength(1);
    const ev = h.captured.events[0];
    expect(ev?.kind === "message" && ev.message.text).toBe("over the socket");
  });

  it("withholds the ack when the sink fails, and accepts Slack's redelivery", async () => {
    h.captured.failNext(new Error("redis down"));
    const [mention] = fake.payloads.mentionPair({ channel: "C1", user: "U1", text: "<@UBOT> retry me" });
    expect(await fake.socket.deliver(mention)).toBeNull();
    expect(h.captured.events).toEqual([]);
    const redelivered = await fake.socket.deliver(mention, { retryAttempt: 1, retryReason: "timeout" });
    expect(redelivered).not.toBeNull();
    expect(h.captured.events).toHaveLength(1);
  });

  it("acks a button click before the sink finishes", async () => {
    await h.platform.stop();
    const order: string[] = [];
    // A sink that only finishes when the test says so.
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let finished!: () => void;
    const sinkDone = new Promise<void>((r) => {
      finished = r;
    });
    const platform = new SlackPlatform(slackConfigFor(fake, { SLACK_APP_TOKEN: fake.team.appToken }), { logger: createCapturingLogger() });
    await platform.start(async (event) => {
      order.push(`sink got ${event.kind}`);
      await gate;
      order.push("sink done");
      finished();
    });
    h = { ...h, platform };
    const click = fake.payloads.blockActions({ user: "U1", channel: "C1", messageTs: slackTs(), actionId: "suggest:0" });
    // Had the ack waited for the sink, deliver() would time out (null) while the gate is still closed.
    const ack = await fake.socket.deliver(click, { type: "interactive", ackTimeoutMs: 2_000 });
    order.push("acked");
    expect(ack).not.toBeNull();
    expect(order).not.toContain("sink done");
    release();
    await sinkDone;
    expect(order.indexOf("acked")).toBeLessThan(order.indexOf("sink done"));
    expect(order).toContain("sink got action");
  });

  it("reconnects when Slack asks it to and keeps delivering", async () => {
    fake.socket.sendDisconnect("refresh_requested");
    // The client waits for its reconnect delay (about 5 s) before asking for a new link.
    const deadline = Date.now() + 15_000;
    while (fake.callsTo("apps.connections.open").length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await fake.socket.waitForConnection();
    expect(fake.socket.totalConnections).toBe(2);
    const dm = fake.payloads.envelope(fake.payloads.message({ channel: "D1", channel_type: "im", user: "U1", text: "still there?" }));
    expect(await fake.socket.deliver(dm)).not.toBeNull();
    expect(h.captured.events).toHaveLength(1);
  });
});

describe("Slack Socket Mode start", () => {
  it("shares one start between concurrent callers: each resolves only once the socket is connected", async () => {
    const fake = await FakeSlackApi.start({ socketMode: { pingIntervalMs: 1_000, ackTimeoutMs: 1_000 } });
    const platform = new SlackPlatform(slackConfigFor(fake, { SLACK_APP_TOKEN: fake.team.appToken }), { logger: createCapturingLogger() });
    try {
      const sink = async () => {};
      const first = platform.start(sink);
      await platform.start(sink);
      expect(platform.isReady()).toBe(true);
      await first;
      expect(fake.callsTo("auth.test")).toHaveLength(1);
      expect(fake.callsTo("apps.connections.open")).toHaveLength(1);
      expect(fake.socket.totalConnections).toBe(1);
    } finally {
      await platform.stop();
      await fake.close();
    }
  });
});

describe("Slack adapter in a worker-only process", () => {
  it("prepares the Web API client without opening a socket", async () => {
    const fake = await FakeSlackApi.start();
    const platform = new SlackPlatform(slackConfigFor(fake, { SLACK_APP_TOKEN: fake.team.appToken }), { logger: createCapturingLogger() });
    try {
      await platform.start();
      expect(platform.isReady()).toBe(true);
      expect(fake.callsTo("auth.test")).toHaveLength(1);
      expect(fake.callsTo("apps.connections.open")).toEqual([]);
      expect(fake.socket.totalConnections).toBe(0);
    } finally {
      await platform.stop();
      await fake.close();
    }
  });
});
