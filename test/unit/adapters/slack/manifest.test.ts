import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ASK_SHORTCUT_CALLBACK_ID, SLACK_COMMANDS } from "../../../../adapters/slack/command-normalize.js";
import { SLACK_EVENTS_PATH } from "../../../../adapters/slack/http-receiver.js";
import { REQUIRED_BOT_SCOPES } from "../../../../adapters/slack/scopes.js";

const manifest = readFileSync(fileURLToPath(new URL("../../../../slack-app-manifest.yml", import.meta.url)), "utf8");

/**
 * The items of the YAML list under a nested key path, e.g. ["oauth_config", "scopes", "bot"]. A tiny line
 * reader for this file's block style (indentation, "key:" and "- item" lines, # comments).
 */
function listAt(yaml: string, path: readonly string[]): string[] {
  const lines = yaml
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").replace(/^\s*#.*$/, ""))
    .filter((l) => l.trim() !== "");
  let depth = 0;
  let indent = -1;
  const items: string[] = [];
  for (const line of lines) {
    const lineIndent = line.length - line.trimStart().length;
    const text = line.trim();
    if (depth === path.length) {
      if (lineIndent <= indent) break;
      if (text.startsWith("- ")) items.push(text.slice(2).trim());
      continue;
    }
    if (lineIndent <= indent) return items;
    if (text === `${path[depth]}:`) {
      depth += 1;
      indent = lineIndent;
    }
  }
  return items;
}

function valueAt(yaml: string, path: readonly string[]): string | undefined {
  const parent = path.slice(0, -1);
  const key = path[path.length - 1];
  let depth = 0;
  for (const raw of yaml.split("\n")) {
    const text = raw.replace(/\s+#.*$/, "").trim();
    if (text.startsWith("#") || text === "") continue;
    if (depth < parent.length && text === `${parent[depth]}:`) depth += 1;
    else if (depth === parent.length && text.startsWith(`${key}:`)) return text.slice(`${key}:`.length).trim();
  }
  return undefined;
}

describe("slack-app-manifest.yml", () => {
  it("grants exactly the bot scopes the adapter requires", () => {
    expect(listAt(manifest, ["oauth_config", "scopes", "bot"]).sort()).toEqual(Object.keys(REQUIRED_BOT_SCOPES).sort());
  });

  it("subscribes to every event the adapter listens to", () => {
    expect(listAt(manifest, ["settings", "event_subscriptions", "bot_events"]).sort()).toEqual(
      [
        "app_mention",
        "message.channels",
        "message.groups",
        "message.im",
        "message.mpim",
        "reaction_added",
        "reaction_removed",
        "app_uninstalled",
        "tokens_revoked",
        "agent_session_stopped",
        "app_home_opened",
        "assistant_thread_started",
        "assistant_thread_context_changed",
      ].sort(),
    );
  });

  it("declares the agent messaging experience (agent_view), which new AI apps must use", () => {
    expect(valueAt(manifest, ["features", "agent_view", "agent_description"])).toMatch(/Dify/);
    expect(manifest).not.toMatch(/^\s*assistant_view:/m);
  });

  it("points events and interactivity at the bridge's route, with interactivity on", () => {
    expect(valueAt(manifest, ["settings", "event_subscriptions", "request_url"])).toBe(`https://YOUR-HOST${SLACK_EVENTS_PATH}`);
    expect(valueAt(manifest, ["settings", "interactivity", "request_url"])).toBe(`https://YOUR-HOST${SLACK_EVENTS_PATH}`);
    expect(valueAt(manifest, ["settings", "interactivity", "is_enabled"])).toBe("true");
    expect(valueAt(manifest, ["settings", "socket_mode_enabled"])).toBe("false");
  });
});

describe("slack-app-manifest.yml: entry points", () => {
  const parsed = parseYaml(manifest) as {
    features: { slash_commands: Array<{ command: string; url?: string }>; shortcuts: Array<{ type: string; callback_id: string; name: string }> };
  };

  it("declares every slash command the adapter answers, on the events URL", () => {
    expect(parsed.features.slash_commands.map((c) => c.command).sort()).toEqual(Object.values(SLACK_COMMANDS).sort());
    for (const c of parsed.features.slash_commands) expect(c.url).toBe(`https://YOUR-HOST${SLACK_EVENTS_PATH}`);
  });

  it("turns the Home tab on (the bridge publishes it on app_home_opened)", () => {
    expect(valueAt(manifest, ["features", "app_home", "home_tab_enabled"])).toBe("true");
  });

  it("declares the message shortcut with the callback id the adapter listens for", () => {
    expect(parsed.features.shortcuts).toEqual([expect.objectContaining({ type: "message", callback_id: ASK_SHORTCUT_CALLBACK_ID })]);
  });
});
