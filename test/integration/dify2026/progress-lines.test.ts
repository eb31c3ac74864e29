import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { SlackE2E } from "../slack-e2e/slack-e2e-harness.js";

/** Progress lines are for people (docs/dify-2026.md §5): node_retry says "Retrying …", agent_log labels stay out. */
describe("Slack end to end: progress lines", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("a retried node shows 'Retrying <node>…'; an Agent node's ROUND / Thought labels are never shown", async () => {
    e = await SlackE2E.start({ dify: { mode: "advanced-chat" }, slackEnv: { SLACK_STREAMING: "edit" } });
    e.dify.onChat(() => scripts.chatflowRetriedNode("The report is ready.", { holdMs: 1_600 }));
    const q = await e.mention({ text: "fetch the report" });
    const [reply] = await e.waitForAnswer(q, "The report is ready.");
    // Every text the reply showed on its way to the answer (placeholder, progress lines, the answer).
    const shown = reply?.revisions.map((r) => r.markdown) ?? [];
    expect(shown.some((t) => t.includes("Retrying Fetch report…"))).toBe(true);
    expect(shown.some((t) => /ROUND 1|Thought/.test(t))).toBe(false);
  });
});
