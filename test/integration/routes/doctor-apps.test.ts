import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { FakeDifyServer } from "../../fakes/dify/index.js";
import { FakeDiscord } from "../../fakes/discord/index.js";
import { REDIS_URL } from "../../support/redis.js";
import { RoutesFile, SUPPORT_KEY } from "./routes-support.js";

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

describe("npm run doctor with a routes file", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it("checks every app of the file by its id (key, type, features) besides the DIFY_* app", async () => {
    const dify = await FakeDifyServer.start();
    dify.addApp({ apiKey: SUPPORT_KEY, appName: "Support desk", mode: "advanced-chat" });
    dify.addApp({ apiKey: "app-workflowOnlyKey0004", appName: "Reports", mode: "workflow" });
    const discord = await FakeDiscord.start();
    closers.push(
      () => dify.close(),
      () => discord.close(),
    );
    const routes = new RoutesFile(
      [
        "apps:",
        "  - id: support",
        "    key_env: DIFY_KEY_SUPPORT",
        "  - id: reports",
        "    key_env: DIFY_KEY_REPORTS",
        "    query_input: topic",
        "  - id: stale",
        "    key_env: DIFY_KEY_STALE",
        "routes: []",
      ].join("\n"),
    );
    const { code, out } = await doctor({
      DIFY_API_URL: dify.baseUrl,
      DIFY_API_KEY: dify.apiKey,
      REDIS_URL,
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      ROUTES_FILE: routes.path,
      DIFY_KEY_SUPPORT: SUPPORT_KEY,
      DIFY_KEY_REPORTS: "app-workflowOnlyKey0004",
      DIFY_KEY_STALE: "app-revokedKey0005",
    });
    expect(out).toContain('✓ Dify: API key — app "Team Assistant"');
    expect(out).toContain('✓ Dify app "support": API key — app "Support desk"');
    expect(out).toContain('✓ Dify app "support": app type — advanced-chat');
    expect(out).toContain('✓ Dify app "reports": app type — workflow (Workflow app: one run per message, no conversation kept)');
    // Its query_input names no variable of the app.
    expect(out).toContain('✗ Dify app "reports": question input — "topic" is not an input of the app (it has: question, attachments)');
    expect(out).toContain('fix: Set query_input of app "reports" in ROUTES_FILE to one of the app\'s text inputs.');
    expect(out).toContain('✗ Dify app "stale": API key — Dify rejected DIFY_KEY_STALE (401)');
    expect(out).not.toContain("app-revokedKey0005");
    expect(code).toBe(1);
  });
});
