import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { REDIS_URL } from "../../support/redis.js";
import { OAuthE2E, TEAM_A, TEAM_B } from "./oauth-harness.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

function doctor(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/doctor.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...env },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe("npm run doctor with Slack OAuth installs", () => {
  let e: OAuthE2E;
  afterEach(async () => e?.close());

  it("checks every installation: a working one passes, one whose token Slack revoked fails with the fix, and the run exits 1", async () => {
    e = await OAuthE2E.start();
    expect(await e.install(TEAM_A)).toBe(200);
    expect(await e.install(TEAM_B)).toBe(200);
    // B's token is revoked at Slack, but the uninstall events never arrived: the stale installation is still stored.
    e.slack.oauth?.revoke(TEAM_B.teamId);
    const { code, out } = await doctor({
      DIFY_API_URL: e.h.dify.baseUrl,
      DIFY_API_KEY: e.h.dify.apiKey,
      REDIS_URL,
      REDIS_PREFIX: e.h.prefix,
      SLACK_CLIENT_ID: "1234567890.0987654321",
      SLACK_CLIENT_SECRET: "fake-client-secret",
      SLACK_STATE_SECRET: "oauth-state-secret",
      SLACK_TOKEN_KEY: e.tokenKey,
      SLACK_SIGNING_SECRET: "oauth-signing-secret",
      SLACK_API_URL: e.slack.apiUrl,
    });
    expect(out).toContain("✓ Slack: OAuth installs");
    expect(out).toContain("2 installation(s)");
    expect(out).toContain("✓ Slack: installation T0AAA — Alpha, bot UBOTA");
    expect(out).toContain("✗ Slack: installation T0BBB — auth.test answered invalid_auth");
    expect(out).not.toContain(TEAM_A.botToken);
    expect(code).toBe(1);
  }, 30_000);
});
