import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { SlackE2E } from "./slack-e2e-harness.js";

const get = async (port: number | undefined, path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
};

/**
 * With METRICS_PORT the public port (Slack's Events API) serves nothing else: health and metrics answer only on
 * their own port and address, which the platforms' routes are not on.
 */
describe("Slack end to end: health and metrics on their own port", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("the events port answers Slack and 404s /metrics, /healthz and /readyz; METRICS_PORT on 127.0.0.1 serves them and no Slack route", async () => {
    e = await SlackE2E.start({ env: { METRICS_PORT: "0", METRICS_HOST: "127.0.0.1" } });
    e.dify.onChat(() => scripts.answer("Still answering."));
    const q = await e.mention({ text: "Are you there?" });
    await e.waitForAnswer(q, "Still answering.");

    const publicPort = e.h.bridge.httpPort;
    const opsPort = e.h.bridge.opsPort;
    expect(opsPort).not.toBe(publicPort);
    for (const path of ["/metrics", "/healthz", "/readyz"]) expect((await get(publicPort, path)).status).toBe(404);

    const metrics = await get(opsPort, "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain("# TYPE");
    expect(await get(opsPort, "/healthz")).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect((await get(opsPort, "/readyz")).status).toBe(200);
    const events = await fetch(`http://127.0.0.1:${opsPort}/slack/events`, { method: "POST", body: "{}" });
    expect(events.status).toBe(405);
  });
});
