import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { placeOf, routeFor } from "../../../src/routing/route-table.js";
import { readRoutesFile } from "../../../src/routing/routes-file.js";

const dir = mkdtempSync(join(tmpdir(), "routes-"));
let n = 0;
function file(text: string): string {
  const path = join(dir, `routes-${n++}.yml`);
  writeFileSync(path, text);
  return path;
}

const GOOD = `
apps:
  - id: support
    url: https://dify.example.com/v1/
    key_env: DIFY_KEY_SUPPORT
    inputs: { team: support }
    show_progress: false
    streaming: edit
    file_types: [image]
    max_concurrent: 2
  - id: code
    key_env: DIFY_KEY_CODE
routes:
  - { app: support, platform: slack, workspace: T0123, channel: C0456 }
  - { app: code, platform: discord, guild: "1234", channel: 5678 }
  - { app: support, platform: slack, dm: true }
  - { app: default, platform: discord, guild: "1234" }
  - { app: code, platform: discord }
`;

describe("routes file", () => {
  it("reads the shape product.md fixes, with keys taken from the named variables", () => {
    const parsed = readRoutesFile(file(GOOD), { DIFY_KEY_SUPPORT: "app-support", DIFY_KEY_CODE: "app-code" });
    if (!parsed.ok) throw new Error(parsed.issues.join("\n"));
    const [support, code] = parsed.value.apps;
    expect(support).toMatchObject({
      id: "support",
      url: "https://dify.example.com/v1",
      apiKey: "app-support",
      keyEnv: "DIFY_KEY_SUPPORT",
      inputs: { team: "support" },
    });
    expect(support).toMatchObject({ show_progress: false, streaming: "edit", file_types: ["image"], max_concurrent: 2 });
    expect(code).toMatchObject({ id: "code", apiKey: "app-code" });
    expect(code?.url).toBeUndefined();
    // A numeric YAML id is the same id as its quoted form.
    expect(parsed.value.routes[1]).toEqual({ app: "code", platform: "discord", workspace: "1234", channel: "5678" });
  });

  it("lists every problem at once, naming where each is and never a key's value", () => {
    const path = file(`
apps:
  - id: Support Team
    key_env: DIFY_KEY_SUPPORT
    colour: blue
  - id: code
    key_env: DIFY_KEY_CODE
  - id: code
    key_env: DIFY_KEY_CODE
  - id: default
    key_env: DIFY_KEY_CODE
    streaming: sometimes
routes:
  - { app: nowhere, platform: slack }
  - { app: code, platform: slack, guild: "1" }
  - { app: code, dm: true, channel: C1 }
  - { app: code, platform: teams }
`);
    const parsed = readRoutesFile(path, { DIFY_KEY_CODE: "app-secret-code " });
    expect(parsed.ok).toBe(false);
    const issues = parsed.ok ? [] : parsed.issues;
    const text = issues.join("\n");
    expect(text).toContain("apps.0.id");
    expect(text).toContain("colour");
    expect(text).toContain('"code" is declared twice');
    expect(text).toContain('"default" is the DIFY_API_KEY app');
    expect(text).toContain("apps.3.streaming");
    expect(text).toContain('routes.0.app: no app "nowhere"');
    expect(text).toContain("routes.1");
    expect(text).toContain("a DM route cannot name a channel");
    expect(text).toContain("routes.3.platform");
    expect(text).toContain("apps.2.key_env: DIFY_KEY_CODE has leading or trailing whitespace");
    expect(issues.length).toBeGreaterThanOrEqual(9);
    expect(text).not.toContain("app-secret-code");
    for (const line of issues) expect(line.startsWith(`ROUTES_FILE (${path})`)).toBe(true);
  });

  it("reports a key variable that is not set, and YAML that does not parse, and a missing file", () => {
    const unset = readRoutesFile(file(GOOD), { DIFY_KEY_CODE: "app-code" });
    expect(unset.ok ? [] : unset.issues).toEqual([expect.stringContaining("apps.0.key_env: DIFY_KEY_SUPPORT is not set")]);
    const broken = readRoutesFile(file("apps:\n  - id: a\n    key_env: [unclosed\n"), {});
    expect(broken.ok ? [] : broken.issues.join("\n")).toMatch(/YAML .* at line \d+, column \d+$/);
    const missing = readRoutesFile(join(dir, "nope.yml"), {});
    expect(missing.ok ? [] : missing.issues).toEqual([expect.stringContaining("cannot be read (ENOENT)")]);
  });
});

describe("route table", () => {
  const parsed = readRoutesFile(file(GOOD), { DIFY_KEY_SUPPORT: "k1", DIFY_KEY_CODE: "k2" });
  const rules = parsed.ok ? parsed.value.routes : [];

  it("first match wins; no match is the default app; threads count as their channel", () => {
    expect(routeFor(rules, placeOf("slack:T0123:C0456:1700000000.000100", false) ?? fail())).toBe("support");
    expect(routeFor(rules, placeOf("slack:T0123:C0999:1700000000.000100", false) ?? fail())).toBe("default");
    expect(routeFor(rules, placeOf("slack:T9999:C0456:1700000000.000100", false) ?? fail())).toBe("default");
    expect(routeFor(rules, placeOf("slack:T9999:D0777:1700000000.000100", true) ?? fail())).toBe("support");
    // Discord: the key's channel is a thread's parent.
    expect(routeFor(rules, placeOf("discord:1234:5678:99999", false) ?? fail())).toBe("code");
    expect(routeFor(rules, placeOf("discord:1234:4444:99999", false) ?? fail())).toBe("default");
    expect(routeFor(rules, placeOf("discord:7777:4444:99999", false) ?? fail())).toBe("code");
  });
});

function fail(): never {
  throw new Error("not a conversation key");
}

describe("the README's routes example", () => {
  it("is a valid routes file", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Routes: several Dify apps"));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    if (!yaml) throw new Error("no yaml example in the README's routes section");
    const parsed = readRoutesFile(file(yaml), { DIFY_KEY_SUPPORT: "app-1", DIFY_KEY_CODE: "app-2" });
    expect(parsed.ok ? [] : parsed.issues).toEqual([]);
  });
});
