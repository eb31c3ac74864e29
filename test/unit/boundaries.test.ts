import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The layout rules (docs: style guide §1.1), checked on the sources' imports the way vercel/chat's
 * boundary.test.ts does: read every file, list what it imports, and assert on the list.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Every import and re-export specifier of a file, static or dynamic, type-only included. */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** Whether the file reads `process.env` (as code, not in a comment or a string). */
function readsProcessEnv(path: string, source: string): boolean {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  let found = false;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === "env" && ts.isIdentifier(node.expression) && node.expression.text === "process") found = true;
    if (!found) ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

type Target = { kind: "builtin"; name: string } | { kind: "package"; name: string } | { kind: "file"; path: string };

/** What a specifier in `from` (a repo-relative path) points at: a node built-in, a package, or a repo file. */
function targetOf(from: string, specifier: string): Target {
  if (specifier.startsWith(".")) return { kind: "file", path: relative(ROOT, resolve(ROOT, dirname(from), specifier)).replace(/\.js$/, ".ts") };
  const bare = specifier.replace(/^node:/, "");
  if (specifier.startsWith("node:") || builtinModules.includes(bare)) return { kind: "builtin", name: bare };
  const parts = specifier.split("/");
  return { kind: "package", name: specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] as string) };
}

const isPlatformSdk = (name: string) => name.startsWith("@slack/") || name === "discord.js" || name.startsWith("@discordjs/");

/** Libraries an adapter may use besides its own SDK: general-purpose ones, nothing of the core's machinery. */
const GENERAL_LIBRARIES = new Set(["zod", "ipaddr.js"]);

const SDK_OF: Readonly<Record<string, (name: string) => boolean>> = {
  slack: (name) => name.startsWith("@slack/"),
  discord: (name) => name === "discord.js" || name.startsWith("@discordjs/"),
  shared: () => false,
};

/** Every broken rule in a set of files (repo-relative path → source). */
function findViolations(files: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [path, source] of Object.entries(files)) {
    const inSrc = path.startsWith("src/");
    const adapter = /^adapters\/([^/]+)\//.exec(path)?.[1];
    for (const specifier of importsOf(source)) {
      const target = targetOf(path, specifier);
      const say = (rule: string) => problems.push(`${path} imports ${specifier}: ${rule}`);
      if (inSrc) {
        if (target.kind === "package" && isPlatformSdk(target.name)) say("the core never imports Slack or Discord code");
        if (target.kind === "file" && target.path.startsWith("adapters/") && !path.startsWith("src/app/")) {
          say("only the composition root (src/app/) imports adapters");
        }
      }
      if (adapter !== undefined) {
        if (target.kind === "package" && !GENERAL_LIBRARIES.has(target.name) && !(SDK_OF[adapter] ?? (() => false))(target.name)) {
          say(`adapters/${adapter} may use its own SDK and general libraries (${[...GENERAL_LIBRARIES].join(", ")}) only`);
        }
        if (target.kind === "file") {
          const allowed =
            target.path.startsWith("src/contracts/") || target.path.startsWith(`adapters/${adapter}/`) || target.path.startsWith("adapters/shared/");
          if (!allowed) say("adapters import only src/contracts/, adapters/shared/ and their own folder (never Dify code, never each other)");
        }
      }
    }
    const mayReadEnv = path.startsWith("src/config/") || /^adapters\/[^/]+\/config\.ts$/.test(path);
    if (!mayReadEnv && readsProcessEnv(path, source)) problems.push(`${path} reads process.env: only config modules do; pass the environment in`);
  }
  return problems;
}

function sourcesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".d.ts")) continue;
    const path = relative(ROOT, join(entry.parentPath, entry.name));
    out[path] = readFileSync(join(ROOT, path), "utf8");
  }
  return out;
}

describe("import boundaries", () => {
  const files = { ...sourcesUnder("src"), ...sourcesUnder("adapters") };

  it("reads the whole tree (both adapters, the shared kit, the core, the composition root)", () => {
    const paths = Object.keys(files);
    for (const prefix of ["src/app/", "src/contracts/", "src/dify/", "adapters/slack/", "adapters/discord/", "adapters/shared/"]) {
      expect(
        paths.some((p) => p.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    expect(paths.length).toBeGreaterThan(100);
  });

  it("hold for every file in src/ and adapters/", () => {
    expect(findViolations(files)).toEqual([]);
  });

  it("the composition root really is where adapters come in", () => {
    const importsAdapters = (path: string, source: string) =>
      importsOf(source).some((specifier) => {
        const target = targetOf(path, specifier);
        return target.kind === "file" && target.path.startsWith("adapters/");
      });
    const importers = Object.entries(files)
      .filter(([path, source]) => path.startsWith("src/") && importsAdapters(path, source))
      .map(([path]) => path);
    // The adapters themselves, and the shared downloader, which also fetches the files Dify produces.
    expect(importers).toEqual(["src/app/platform-modules.ts", "src/app/produced-files.ts"]);
  });
});

describe("the boundary checker itself", () => {
  it.each([
    ["src/reply/x.ts", 'import { App } from "@slack/bolt";', "the core never imports Slack or Discord code"],
    ["src/reply/x.ts", 'import type { Client } from "discord.js";', "the core never imports Slack or Discord code"],
    ["src/app/x.ts", 'export { REST } from "@discordjs/rest";', "the core never imports Slack or Discord code"],
    ["src/main.ts", 'import { slackModule } from "../adapters/slack/module.js";', "only the composition root"],
    ["src/queue/x.ts", 'const m = await import("../../adapters/discord/index.js");', "only the composition root"],
    ["adapters/slack/x.ts", 'import { DifyClient } from "../../src/dify/dify-client.js";', "adapters import only"],
    ["adapters/slack/x.ts", 'import { DISCORD_LIMITS } from "../discord/limits.js";', "adapters import only"],
    ["adapters/discord/x.ts", 'import type { SlackConfig } from "../slack/config.js";', "adapters import only"],
    ["adapters/shared/x.ts", 'import { WebClient } from "@slack/web-api";', "may use its own SDK"],
    ["adapters/discord/x.ts", 'import { Queue } from "bullmq";', "may use its own SDK"],
    ["src/reply/x.ts", "const token = process.env.SLACK_BOT_TOKEN;", "reads process.env"],
    ["adapters/slack/slack-platform.ts", 'const { env } = process; const t = process.env["X"];', "reads process.env"],
  ])("catches %s: %s", (path, source, rule) => {
    const found = findViolations({ [path]: source });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(rule);
  });

  it.each([
    ["src/app/platform-modules.ts", 'import { slackModule } from "../../adapters/slack/module.js";'],
    ["adapters/slack/x.ts", 'import { App } from "@slack/bolt"; import { z } from "zod"; import { request } from "node:https";'],
    ["adapters/discord/x.ts", 'import { kept } from "../shared/normalized.js"; import type { Logger } from "../../src/contracts/logger.js";'],
    ["adapters/shared/x.ts", 'import ipaddr from "ipaddr.js"; import { lookup } from "dns";'],
    ["src/config/environment.ts", "export const env = process.env;"],
    ["adapters/discord/config.ts", "const token = process.env.DISCORD_BOT_TOKEN;"],
    ["src/reply/x.ts", "// process.env is never read here\nconst s = 'process.env';"],
  ])("accepts %s", (path, source) => {
    expect(findViolations({ [path]: source })).toEqual([]);
  });
});
