import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createPlatforms, enabledPlatforms, noPlatformIssue, parsePlatformConfigs, secretValues } from "../../../src/app/platform-config.js";
import { PLATFORM_MODULES } from "../../../src/app/platform-modules.js";
import { CORE_ENV_VARS, CORE_SECRET_ENV_VARS } from "../../../src/config/config.js";
import type { PlatformModule } from "../../../src/contracts/platform-module.js";

/** An environment that records which variables were read. */
function recording(values: Record<string, string>) {
  const read = new Set<string>();
  const env = new Proxy(values, {
    get(target, key) {
      if (typeof key === "string") read.add(key);
      return target[key as string];
    },
  });
  return { env, read };
}

const silent = { child: () => silent, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };

const ENABLED_ENV = {
  SLACK_BOT_TOKEN: "xoxb-1-2-abc",
  SLACK_SIGNING_SECRET: "signing-secret-value",
  DISCORD_BOT_TOKEN: "discord.token.value",
};

describe("platform modules", () => {
  it.each(PLATFORM_MODULES.map((m) => [m.id, m] as const))(
    "%s declares exactly the variables it reads, its switch and its secrets among them",
    (_id, module) => {
      for (const values of [{}, ENABLED_ENV]) {
        const { env, read } = recording(values);
        module.parseConfig(env);
        expect([...read].sort()).toEqual([...module.envVars].sort());
      }
      expect(module.envVars).toContain(module.enabledBy);
      for (const secret of module.secretEnvVars) expect(module.envVars).toContain(secret);
    },
  );

  it("every variable of the core and the modules is documented in .env.example", () => {
    const example = readFileSync(new URL("../../../.env.example", import.meta.url), "utf8");
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const all = [...CORE_ENV_VARS.filter((name) => name !== "NODE_ENV"), ...PLATFORM_MODULES.flatMap((m) => m.envVars)];
    expect(all.filter((name) => !documented.has(name))).toEqual([]);
  });

  it("no two modules share an id or a variable", () => {
    expect(new Set(PLATFORM_MODULES.map((m) => m.id)).size).toBe(PLATFORM_MODULES.length);
    const vars = PLATFORM_MODULES.flatMap((m) => m.envVars);
    expect(new Set(vars).size).toBe(vars.length);
  });
});

describe("composing the modules", () => {
  it("asks for at least one platform, naming every switch, when none is on", () => {
    expect(enabledPlatforms({}, PLATFORM_MODULES)).toEqual({ ok: false, issues: [noPlatformIssue(PLATFORM_MODULES)] });
    expect(noPlatformIssue(PLATFORM_MODULES)).toBe("SLACK_BOT_TOKEN / DISCORD_BOT_TOKEN: set at least one, to enable Slack and/or Discord");
  });

  it("lists every module's problems at once", () => {
    const { issues, enabled } = parsePlatformConfigs({ SLACK_BOT_TOKEN: "not-a-bot-token", DISCORD_API_URL: "ftp://x" }, PLATFORM_MODULES);
    expect(enabled).toEqual([]);
    expect(issues.map((i) => i.split(":")[0])).toEqual(expect.arrayContaining(["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_API_URL"]));
  });

  it("builds one ChatPlatform per enabled module, without connecting", () => {
    const result = enabledPlatforms(ENABLED_ENV, PLATFORM_MODULES);
    if (!result.ok) throw new Error(result.issues.join("; "));
    const platforms = createPlatforms(result.value, { logger: silent });
    expect(platforms.map((p) => p.id)).toEqual(["slack", "discord"]);
    expect(platforms.every((p) => !p.isReady())).toBe(true);
  });

  it("collects the values of the core's and every module's secrets for log scrubbing", () => {
    const env = { ...ENABLED_ENV, DIFY_API_KEY: "app-secret", SLACK_APP_TOKEN: "", LOG_LEVEL: "debug" };
    expect(secretValues(env, CORE_SECRET_ENV_VARS, PLATFORM_MODULES).sort()).toEqual(
      ["app-secret", "discord.token.value", "signing-secret-value", "xoxb-1-2-abc"].sort(),
    );
  });

  it("a module list is all the composition needs: a new platform is one more entry", () => {
    const fake: PlatformModule<{ token: string }> = {
      id: "slack",
      displayName: "Other",
      enabledBy: "OTHER_TOKEN",
      envVars: ["OTHER_TOKEN"],
      secretEnvVars: ["OTHER_TOKEN"],
      parseConfig: (env) => ({ ok: true, value: env.OTHER_TOKEN ? { token: env.OTHER_TOKEN } : null }),
      checkSetup: async () => [],
      create: () => {
        throw new Error("not built in this test");
      },
    };
    const modules: readonly PlatformModule[] = [fake];
    expect(enabledPlatforms({ OTHER_TOKEN: "t" }, modules)).toMatchObject({ ok: true, value: [{ module: fake, config: { token: "t" } }] });
    expect(secretValues({ OTHER_TOKEN: "t" }, [], modules)).toEqual(["t"]);
  });
});
