import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { completionAppParameters, FakeDifyServer, workflowAppParameters } from "../../fakes/dify/index.js";
import { FakeDiscord } from "../../fakes/discord/index.js";
import { FakeSlackApi, FULL_BOT_SCOPES } from "../../fakes/slack/index.js";
import { REDIS_URL } from "../../support/redis.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** `npm run doctor`'s command, with only the given environment (no .env is read: the cwd has none under test). */
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

describe("npm run doctor", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  async function fakes(opts: { slackScopes?: readonly string[]; messageContent?: "granted" | "denied" } = {}) {
    const dify = await FakeDifyServer.start();
    const slack = await FakeSlackApi.start(opts.slackScopes ? { team: { scopes: [...opts.slackScopes] } } : {});
    const discord = await FakeDiscord.start({ messageContentIntent: opts.messageContent ?? "granted" });
    closers.push(
      () => dify.close(),
      () => slack.close(),
      () => discord.close(),
    );
    return {
      dify,
      env: {
        DIFY_API_URL: dify.baseUrl,
        DIFY_API_KEY: dify.apiKey,
        REDIS_URL,
        SLACK_BOT_TOKEN: slack.team.botToken,
        SLACK_SIGNING_SECRET: "doctor-signing-secret",
        SLACK_API_URL: slack.apiUrl,
        DISCORD_BOT_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
      },
    };
  }

  it("passes every check against healthy fakes and exits 0", async () => {
    const { env } = await fakes();
    const { code, out } = await doctor(env);
    expect(out).not.toContain("✗");
    for (const line of [
      "✓ Configuration: settings — Slack + Discord",
      "✓ Redis: reachable",
      '✓ Dify: API key — app "Team Assistant"',
      "✓ Dify: app type — chat",
      "✓ Dify: speech to text — on",
      "✓ Slack: bot token",
      "✓ Slack: scopes — all 13 scopes of slack-app-manifest.yml granted",
      "✓ Discord: bot token",
      "✓ Discord: Message Content intent — enabled",
      "✓ Discord: servers — in 2 server(s)",
    ]) {
      expect(out).toContain(line);
    }
    expect(code).toBe(0);
  });

  it("names a Workflow or Text Generator app's type, says it keeps no conversation, and where the question goes", async () => {
    const { dify, env } = await fakes();
    dify.configure({ mode: "workflow", parameters: workflowAppParameters() });
    const workflow = await doctor(env);
    expect(workflow.out).toContain("✓ Dify: app type — workflow (Workflow app: one run per message, no conversation kept)");
    expect(workflow.out).toContain('✓ Dify: question input — the question goes to "question" (paragraph)');
    // The question's variable is required, but the bridge fills it: not a missing input.
    expect(workflow.out).toContain("✓ Dify: input variables — question, attachments");
    expect(workflow.code).toBe(0);

    dify.configure({ mode: "completion", parameters: completionAppParameters() });
    const misnamed = await doctor({ ...env, DIFY_QUERY_INPUT: "prompt" });
    expect(misnamed.out).toContain("✓ Dify: app type — completion (Text Generator app: one run per message, no conversation kept)");
    expect(misnamed.out).toContain('✗ Dify: question input — "prompt" is not an input of the app (it has: text, tone)');
    expect(misnamed.out).toContain("fix: Set DIFY_QUERY_INPUT to one of the app's text inputs.");
    expect(misnamed.code).toBe(1);

    dify.configure({ parameters: { ...completionAppParameters(), user_input_form: [{ number: { variable: "count", label: "Count", required: false } }] } });
    const noText = await doctor(env);
    expect(noText.out).toContain("✗ Dify: question input — the app has no text input (paragraph or text-input) to take the question");
  });

  it("a wrong Dify key is a red line that says what to fix, and a non-zero exit", async () => {
    const { env } = await fakes();
    const { code, out } = await doctor({ ...env, DIFY_API_KEY: "app-thisKeyIsWrong0000" });
    expect(out).toContain("✗ Dify: API key — Dify rejected DIFY_API_KEY (401)");
    expect(out).toContain("fix: Copy the key from Dify → your app → API Access (it starts with app-) into DIFY_API_KEY.");
    expect(out).not.toContain("app-thisKeyIsWrong0000");
    expect(code).toBe(1);
  });

  it("names a missing Slack scope and a disabled Message Content intent, with their fixes", async () => {
    const { env } = await fakes({ slackScopes: FULL_BOT_SCOPES.filter((s) => s !== "files:read"), messageContent: "denied" });
    const { code, out } = await doctor(env);
    expect(out).toMatch(/✗ Slack: scopes — missing files:read \(download files attached to questions\)/);
    expect(out).toContain("reinstall the app");
    expect(out).toContain("✗ Discord: Message Content intent — disabled");
    expect(out).toContain("Privileged Gateway Intents → turn on Message Content Intent");
    expect(code).toBe(1);
  });

  it("names a missing assistant:write with the AI-app features it breaks (suggested prompts, thread titles)", async () => {
    const { env } = await fakes({ slackScopes: FULL_BOT_SCOPES.filter((s) => s !== "assistant:write") });
    const { code, out } = await doctor(env);
    expect(out).toMatch(/✗ Slack: scopes — missing assistant:write \(the AI app's suggested prompts when someone opens the DM and the titles of its threads/);
    expect(out).toContain("reinstall the app");
    expect(code).toBe(1);
  });

  it("lists every configuration problem at once, without echoing values", async () => {
    const { code, out } = await doctor({ DIFY_API_KEY: "", PORT: "99999", SLACK_BOT_TOKEN: "xoxb-secret-value-123", LOG_LEVEL: "loud", REDIS_URL });
    expect(out).toContain("✗ Configuration: DIFY_API_KEY");
    expect(out).toContain("✗ Configuration: PORT");
    expect(out).toContain("✗ Configuration: LOG_LEVEL");
    expect(out).toContain("✗ Configuration: SLACK_SIGNING_SECRET");
    expect(out).not.toContain("xoxb-secret-value-123");
    expect(code).toBe(1);
  });
});
