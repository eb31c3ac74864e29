import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startBridgeProcess } from "../../support/bridge-process.js";

describe("a routes file with errors at start", () => {
  it("lists every problem, with the environment's, and exits non-zero before connecting anywhere", async () => {
    const dir = mkdtempSync(join(tmpdir(), "routes-start-"));
    const path = join(dir, "routes.yml");
    writeFileSync(
      path,
      [
        "apps:",
        "  - id: support",
        "    key_env: DIFY_KEY_SUPPORT",
        "    streaming: sometimes",
        "  - id: support",
        "    key_env: DIFY_KEY_SUPPORT",
        "routes:",
        "  - { app: sales, platform: slack, channel: C1 }",
        "  - { app: support, platform: slack, guild: '1' }",
      ].join("\n"),
    );
    const proc = startBridgeProcess({
      DIFY_API_KEY: "app-default",
      DISCORD_BOT_TOKEN: "x.y.z",
      ROUTES_FILE: path,
      PORT: "abc",
      REDIS_URL: "redis://127.0.0.1:1",
    });
    const code = await proc.exited;
    expect(code).not.toBe(0);
    const err = proc.stderr.join("\n");
    expect(err).toContain("Invalid configuration");
    expect(err).toContain("PORT:");
    expect(err).toContain("apps.0.streaming");
    expect(err).toContain('apps.1.id: "support" is declared twice');
    expect(err).toContain("DIFY_KEY_SUPPORT is not set");
    expect(err).toContain('routes.0.app: no app "sales" in apps');
    expect(err).toContain("routes.1: a Slack route names a workspace, not a guild");
  });
});
