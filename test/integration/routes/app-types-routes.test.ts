import { afterEach, describe, expect, it } from "vitest";
import { scripts, workflowAppParameters } from "../../fakes/dify/index.js";
import { eventually, SlackE2E } from "../slack-e2e/slack-e2e-harness.js";
import { RoutesFile, reloaded } from "./routes-support.js";

const REPORTS_KEY = "app-reportsWorkflowKey0007";

/** A routed Workflow app beside the default chat app: its type is read per app, its run settings per app. */
describe("Slack: a routed Workflow app", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("the reload reads the new app's type; its channel gets runs with its query_input and answer_output, the rest chat", async () => {
    const routes = new RoutesFile(["apps: []", "routes: []", ""].join("\n"));
    e = await SlackE2E.start({ env: { ROUTES_FILE: routes.path, DIFY_KEY_REPORTS: REPORTS_KEY } });
    const params = workflowAppParameters();
    // A paragraph comes first in its form; query_input sends the question to `topic` instead.
    const reports = e.dify.addApp({
      apiKey: REPORTS_KEY,
      appName: "Reports",
      mode: "workflow",
      parameters: {
        ...params,
        user_input_form: [
          { paragraph: { label: "Notes", variable: "notes", required: false, default: "" } },
          { "text-input": { label: "Topic", variable: "topic", required: true, max_length: 200 } },
        ],
      },
    });
    reports.onChat((t) => scripts.workflow("Thinking about it… ", { outputs: { summary: `Report on ${String(t.inputs.topic)}.` } }));
    e.dify.onChat((t) => scripts.answer(`chat: ${t.query}`));

    const before = e.h.logs.length;
    routes.write(
      [
        "apps:",
        "  - id: reports",
        "    key_env: DIFY_KEY_REPORTS",
        "    query_input: topic",
        "    answer_output: summary",
        "routes:",
        "  - { app: reports, platform: slack, channel: C0REPORTS }",
        "",
      ].join("\n"),
    );
    await reloaded(e.h.logs, before);
    const typed = await eventually(() =>
      e.h.logs.slice(before).find((l) => (l.obj as { app?: string }).app === "reports" && l.msg?.startsWith("Dify app type")),
    );
    expect(typed.msg).toBe("Dify app type: Workflow app (one run per message, no conversation)");

    const inReports = await e.mention({ channel: "C0REPORTS", text: "Q3 sales" });
    const elsewhere = await e.mention({ channel: "C0GENERAL", text: "lunch?" });
    await e.waitForAnswer(inReports, "Report on Q3 sales.");
    await e.waitForAnswer(elsewhere, "chat: lunch?");
    expect(reports.workflowRunRequests.map((r) => r.chat.inputs)).toEqual([{ topic: "Q3 sales" }]);
    expect(reports.chatRequests).toHaveLength(0);
    expect(e.dify.chatRequests.map((r) => r.chat.query)).toEqual(["lunch?"]);
    expect(e.dify.workflowRunRequests).toHaveLength(0);
  });
});
