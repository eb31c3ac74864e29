import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FakeDifyServer } from "../../fakes/dify/index.js";
import { FakeSlackApi } from "../../fakes/slack/index.js";
import { startBridgeProcess } from "../../support/bridge-process.js";
import { REDIS_URL } from "../../support/redis.js";

/** Whether anything accepts a connection on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * `npm start` with numbers that Number() would take but nobody means: the service does not start on a port it
 * guessed, and every problem is named in one go.
 */
describe("the service refuses lenient numbers at start", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it("PORT=1e3, a hex METRICS_PORT, a fractional JOB_LOCK_MS and an enormous USER_RATE_LIMIT: exit 1, each named, nothing listening, Dify never called", async () => {
    const dify = await FakeDifyServer.start();
    const slack = await FakeSlackApi.start();
    closers.push(
      () => dify.close(),
      () => slack.close(),
    );
    const bridge = startBridgeProcess({
      DIFY_API_URL: dify.baseUrl,
      DIFY_API_KEY: dify.apiKey,
      REDIS_URL,
      SLACK_BOT_TOKEN: slack.team.botToken,
      SLACK_SIGNING_SECRET: "bad-config-signing-secret",
      SLACK_API_URL: slack.apiUrl,
      PORT: "1e3",
      METRICS_PORT: "0x50",
      JOB_LOCK_MS: "6000.5",
      USER_RATE_LIMIT: "100000/60s",
    });
    closers.push(async () => {
      if (bridge.child.exitCode === null) bridge.child.kill("SIGKILL");
    });

    const code = await bridge.exited;
    const said = bridge.stderr.join("");
    expect(code).toBe(1);
    expect(said).toContain("PORT: must be a whole number from 0 to 65535");
    expect(said).toContain("METRICS_PORT: must be a whole number from 0 to 65535");
    expect(said).toMatch(/JOB_LOCK_MS: must be a whole number/);
    expect(said).toContain("USER_RATE_LIMIT: count must be 1-10000 and the window 1 ms to 24 h");
    // Number("1e3") is 1000, Number("0x50") is 80: a lenient parser would have opened these.
    expect(await listening(1000)).toBe(false);
    expect(await listening(80)).toBe(false);
    expect(dify.requests).toEqual([]);
    expect(slack.calls.length).toBe(0);
  });
});
