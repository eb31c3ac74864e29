import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeDifyServer } from "../../fakes/dify/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { startBridgeProcess } from "../../support/bridge-process.js";
import { deleteByPrefix, openRedis, REDIS_URL } from "../../support/redis.js";

/** `npm start` with nothing but the Dify key and Redis: the playground alone, its address printed once. */
describe("npm start with only DIFY_API_KEY", () => {
  let dify: FakeDifyServer;
  const prefix = `test-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    dify = await FakeDifyServer.start();
  });
  afterAll(async () => {
    await dify?.close();
    const redis = openRedis();
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  it("serves the web playground and prints its address with a token made for this run; the token opens it and is in no log line", async () => {
    const p = startBridgeProcess({ DIFY_API_KEY: dify.apiKey, DIFY_API_URL: dify.baseUrl, REDIS_URL, REDIS_PREFIX: prefix, PORT: "0" });
    try {
      const line = await eventually(() => p.stderr.join("\n").match(/Open (http:\/\/localhost:\d+\/console\/playground)\?token=([A-Za-z0-9_-]+)/), 20_000, 50);
      const [, address, token] = line as unknown as [string, string, string];
      expect(token.length).toBeGreaterThanOrEqual(16);
      const origin = address.replace("localhost", "127.0.0.1");
      expect((await fetch(origin)).status).toBe(401);
      const login = await fetch(`${origin}?token=${token}`, { redirect: "manual" });
      expect(login.status).toBe(303);
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
      const page = await fetch(origin, { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("dify-bridge playground");
      const started = await p.waitForLog((l) => l.msg === "dify-bridge started");
      expect(started.platforms).toEqual(["web"]);
      expect(JSON.stringify(p.logs)).not.toContain(token);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
    }
  });
});
