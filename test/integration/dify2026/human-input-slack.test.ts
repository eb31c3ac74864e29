import { afterEach, describe, expect, it } from "vitest";
import { dify2026Options, type HumanInputSpec, scripts } from "../../fakes/dify/index.js";
import type { FakeSlackMessage } from "../../fakes/slack/index.js";
import { ANA, BO, buttonsOf, eventually, type Posted, SlackE2E, settle } from "../slack-e2e/slack-e2e-harness.js";

/**
 * Human Input in Slack (docs/dify-2026.md §2): a Chatflow that pauses shows its form in the reply, a click (or a
 * modal's submission) answers it in Dify as the thread's user, and the run's events finish the same reply.
 */

const APPROVAL: HumanInputSpec = {
  nodeTitle: "Approval",
  formContent: "Publish the **draft** to the blog?",
  actions: [
    { id: "approve", title: "Approve", buttonStyle: "primary" },
    { id: "reject", title: "Reject", buttonStyle: "default" },
  ],
};

const REVIEW: HumanInputSpec = {
  nodeTitle: "Review",
  formContent: "Add a note for the editor: {{#$output.note#}}",
  inputs: [
    { type: "paragraph", outputVariableName: "note", default: "" },
    { type: "select", outputVariableName: "priority", options: ["low", "high"], default: "low" },
    { type: "file", outputVariableName: "attachment" },
  ],
  actions: [{ id: "send", title: "Send", buttonStyle: "accent" }],
};

const chatflow2026 = { dify: { ...dify2026Options(), mode: "advanced-chat" as const } };

/** The one bot message of the thread once it shows `label` among its buttons. */
async function formShown(e: SlackE2E, q: Posted, label: string): Promise<FakeSlackMessage> {
  return eventually(() => {
    const replies = e.botReplies(q);
    return replies.length === 1 && buttonsOf(replies[0] as FakeSlackMessage).some((b) => b.label === label) ? replies[0] : undefined;
  }, 15_000);
}

/** The button's style as Slack renders it. */
function styleOf(m: FakeSlackMessage, label: string): string | undefined {
  for (const b of m.blocks as Array<{ type?: string; elements?: Array<{ text?: { text?: string }; style?: string }> }>) {
    const el = b.type === "actions" ? b.elements?.find((x) => x.text?.text === label) : undefined;
    if (el) return el.style;
  }
  return undefined;
}

describe("Slack end to end: Human Input forms of a Chatflow", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("a pause shows the form with its buttons; a click sends it as the thread's user and the rest streams into the same reply", async () => {
    e = await SlackE2E.start(chatflow2026);
    e.dify.onChat(scripts.chatflowWithForms("Draft ready.", [APPROVAL], (o) => (o[0]?.kind === "submitted" ? " Published." : " Not published.")));
    const q = await e.mention({ text: "Write the post" });
    const form = await formShown(e, q, "Approve");
    expect(form.markdown).toBe("Draft ready.\n\n📝 **Approval**\n\nPublish the **draft** to the blog?");
    expect(buttonsOf(form).map((b) => b.label)).toEqual(["Approve", "Reject"]);
    expect(styleOf(form, "Approve")).toBe("primary");
    expect(styleOf(form, "Reject")).toBeUndefined();
    expect(e.dify.formSubmissions).toHaveLength(0);

    await e.click(form, "Approve", BO);
    const [reply] = await e.waitForAnswer(q, /Published/);
    expect(reply?.ts).toBe(form.ts);
    expect(reply?.markdown).toBe("Draft ready.\n\n📝 **Approval**: ✅ **Bo** chose **Approve**\n\nPublished.");
    expect(buttonsOf(reply as FakeSlackMessage).map((b) => b.label)).not.toContain("Approve");
    expect(e.botReplies(q)).toHaveLength(1);
    const [submission] = e.dify.formSubmissions;
    expect(submission?.json).toEqual({ inputs: {}, action: "approve", user: e.dify.chatRequests[0]?.chat.user });
    expect(e.dify.chatRequests).toHaveLength(1);
    expect(e.dify.stopRequests).toHaveLength(0);
    // Listening first, then submitting: the resumed run's events came through the events endpoint.
    expect(e.dify.workflowEventsRequests.map((r) => r.query.include_state_snapshot)).toEqual(["false"]);
  });

  it("on Slack's AI app (native streaming, no placeholder) the form and the rest of the answer share the answer's one message", async () => {
    e = await SlackE2E.start({ ...chatflow2026, slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "native" } });
    e.dify.onChat(scripts.chatflowWithForms("Draft ready.", [APPROVAL], " Published."));
    const q = await e.mention({ text: "Write the post" });
    const form = await formShown(e, q, "Approve");
    await e.click(form, "Approve", ANA);
    const [reply] = await e.waitForAnswer(q, /Published/);
    expect(reply?.ts).toBe(form.ts);
    expect(reply?.markdown).toBe("Draft ready.\n\n📝 **Approval**: ✅ **Ana** chose **Approve**\n\nPublished.");
    expect(e.botReplies(q)).toHaveLength(1);
  });

  it.each(["http", "socket"] as const)(
    "a form with inputs opens a modal; its submission sends the values, and the reply shows who answered what (%s)",
    async (transport) => {
      e = await SlackE2E.start({ ...chatflow2026, transport });
      e.dify.onChat(scripts.chatflowWithForms("Draft ready.", [REVIEW], (o) => (o[0]?.kind === "submitted" ? ` Noted: ${o[0].submission.inputs.note}.` : "")));
      const q = await e.mention({ text: "Review it" });
      const form = await formShown(e, q, "Send");
      expect(form.markdown).toContain("Add a note for the editor: _‹note›_");
      expect(form.markdown).toContain("attachment: file inputs cannot be filled from the chat");
      expect(styleOf(form, "Send")).toBe("primary");

      await e.click(form, "Send", ANA);
      const opened = await eventually(() => e.slack.views.latest, 10_000);
      const blocks = opened.view.blocks as Array<{ element: { type: string; action_id: string; options?: unknown[] } }>;
      expect(blocks.map((b) => [b.element.type, b.element.action_id])).toEqual([
        ["plain_text_input", "note"],
        ["static_select", "priority"],
      ]);
      expect((opened.view.submit as { text: string }).text).toBe("Send");
      // Nothing goes to Dify until the modal is submitted.
      await settle(200);
      expect(e.dify.formSubmissions).toHaveLength(0);

      await e.interact(
        e.slack.viewSubmission({ viewId: opened.id, user: ANA.id, userName: ANA.name, values: { note: "Tighten the intro", priority: "high" } }),
      );
      const [reply] = await e.waitForAnswer(q, /Noted/);
      expect(reply?.ts).toBe(form.ts);
      expect(reply?.markdown).toBe(
        "Draft ready.\n\n📝 **Review**: ✅ **Ana** chose **Send**\n> note: Tighten the intro\n> priority: high\n\nNoted: Tighten the intro.",
      );
      expect(e.dify.formSubmissions[0]?.json).toEqual({
        inputs: { note: "Tighten the intro", priority: "high" },
        action: "send",
        user: e.dify.chatRequests[0]?.chat.user,
      });
    },
  );

  it("two people clicking at once: the first answers the form, the other is told privately who did", async () => {
    e = await SlackE2E.start(chatflow2026);
    e.dify.onChat(scripts.chatflowWithForms("Draft ready.", [APPROVAL], (o) => (o[0]?.kind === "submitted" ? ` ${o[0].submission.action}d.` : "")));
    const q = await e.mention({ text: "Write the post" });
    const form = await formShown(e, q, "Approve");
    await Promise.all([e.click(form, "Approve", ANA), e.click(form, "Reject", BO)]);
    await e.waitForAnswer(q, /d\.$/);
    await eventually(() => e.slack.messages.ephemerals.length > 0, 10_000);
    expect(e.dify.formSubmissions.filter((s) => s.status === 200)).toHaveLength(1);
    const [notice] = e.slack.messages.ephemerals;
    const winner = (e.dify.formSubmissions[0]?.json as { action?: string } | undefined)?.action === "approve" ? ANA : BO;
    const loser = winner === ANA ? BO : ANA;
    expect(notice).toMatchObject({ user: loser.id });
    expect(JSON.stringify(notice)).toContain(`This form was already answered by ${winner.displayName}.`);
  });

  it("a resume whose form Dify already took (its first run died after submitting) re-attaches to the run instead of submitting again", async () => {
    e = await SlackE2E.start(chatflow2026);
    e.dify.onChat(scripts.chatflowWithForms("Draft ready.", [APPROVAL], " Published.", { chunkChars: 4, delayMs: 20 }));
    const q = await e.mention({ text: "Write the post" });
    const form = await formShown(e, q, "Approve");
    const formKey = buttonsOf(form)[0]?.actionId.split("|")[2] ?? "";
    // What a resume job that died right after Dify accepted the form leaves behind: the form answered in Dify,
    // and marked answered in Redis.
    const key = e.h.key("form", formKey);
    // Once the record names the message the form is on (it is saved again when the reply has moved on).
    const record = await eventually(async () => {
      const r = JSON.parse((await e.h.redis.get(key)) ?? "{}") as { reply?: Array<{ messageId: string }> };
      return r.reply?.some((m) => m.messageId === form.ts) ? r : undefined;
    });
    await e.h.redis.set(key, JSON.stringify({ ...record, submitted: { by: "Ana", action: "approve" } }), "PX", 60_000);
    e.dify.workflowRuns.forms[0]?.submit({ action: "approve", inputs: {}, user: String(e.dify.chatRequests[0]?.chat.user) });

    await e.click(form, "Approve", ANA);
    const [reply] = await e.waitForAnswer(q, /Published/).catch((err: unknown) => {
      throw new Error(`${JSON.stringify(e.botReplies(q).map((m) => m.revisions.map((r) => r.markdown)))} ${JSON.stringify(e.problems())}`, { cause: err });
    });
    expect(reply?.markdown).toBe("Draft ready.\n\n📝 **Approval**: ✅ **Ana** chose **Approve**\n\nPublished.");
    expect(e.dify.formSubmissions).toHaveLength(0);
    expect(e.dify.workflowEventsRequests.map((r) => r.query.include_state_snapshot)).toEqual(["true"]);
  });

  it("two pauses in one run: each form shows in turn in the same reply, and the answer ends there", async () => {
    // Dify resumes at once: the second form is only seen by an answer that listened before it submitted the first.
    e = await SlackE2E.start({ dify: { ...chatflow2026.dify, humanInputResumeDelayMs: 0 } });
    e.dify.onChat(scripts.chatflowWithForms("Plan made.", [APPROVAL, { ...APPROVAL, nodeTitle: "Final check", formContent: "Really publish?" }], " Done."));
    const q = await e.mention({ text: "Go" });
    const first = await formShown(e, q, "Approve");
    await e.click(first, "Approve", ANA);
    const second = await eventually(() => {
      const m = e.botReplies(q)[0];
      return m?.markdown.includes("Really publish?") && buttonsOf(m).some((b) => b.label === "Approve") ? m : undefined;
    }, 15_000);
    expect(second.ts).toBe(first.ts);
    expect(second.markdown).toBe("Plan made.\n\n📝 **Approval**: ✅ **Ana** chose **Approve**\n\n📝 **Final check**\n\nReally publish?");
    await e.click(second, "Approve", BO);
    const [reply] = await e.waitForAnswer(q, /Done/);
    expect(reply?.markdown).toBe("Plan made.\n\n📝 **Approval**: ✅ **Ana** chose **Approve**\n\n📝 **Final check**: ✅ **Bo** chose **Approve**\n\nDone.");
    expect(e.botReplies(q)).toHaveLength(1);
    expect(e.dify.formSubmissions.map((s) => (s.json as { action: string }).action)).toEqual(["approve", "approve"]);
    expect(e.dify.chatRequests).toHaveLength(1);
  });

  it("an expired form says so where it is shown and offers a fresh start; nothing is sent to Dify", async () => {
    e = await SlackE2E.start(chatflow2026);
    e.dify.onChatOnce(scripts.chatflowWithForms("Draft ready.", [{ ...APPROVAL, expiresInSeconds: 1 }], " Published."), () =>
      scripts.chatflow("A fresh draft."),
    );
    const q = await e.mention({ text: "Write the post" });
    const form = await formShown(e, q, "Approve");
    await new Promise((r) => setTimeout(r, 1_200));
    await e.click(form, "Approve", ANA);
    const expired = await eventually(() => {
      const m = e.botReplies(q)[0];
      return m?.markdown.includes("expired") ? m : undefined;
    }, 10_000);
    expect(expired.markdown).toBe(
      "Draft ready.\n\n📝 **Approval**\n\nPublish the **draft** to the blog?\n\n⌛ This form expired before it was answered. Start over to ask again.",
    );
    expect(buttonsOf(expired).map((b) => b.label)).toEqual(["Start over"]);
    expect(e.dify.formSubmissions).toHaveLength(0);

    await e.click(expired, "Start over", ANA);
    await eventually(() => e.botReplies(q).some((m) => m.markdown.includes("A fresh draft.")), 15_000);
    expect(e.dify.chatRequests.map((r) => r.chat.query)).toEqual(["Write the post", "Write the post"]);
  });

  it("a form already answered in Dify says so when clicked, and offers a fresh start", async () => {
    e = await SlackE2E.start(chatflow2026);
    e.dify.onChat(scripts.chatflowWithForms("Draft ready.", [APPROVAL], " Published."));
    const q = await e.mention({ text: "Write the post" });
    const form = await formShown(e, q, "Approve");
    // Someone answered it in Dify's web app meanwhile.
    e.dify.workflowRuns.forms[0]?.submit({ action: "reject", inputs: {}, user: "web-app-user" });
    await e.click(form, "Approve", ANA);
    const [reply] = await e.waitForAnswer(q, /already answered/);
    expect(reply?.markdown).toBe(
      "Draft ready.\n\n📝 **Approval**\n\nPublish the **draft** to the blog?\n\nThis form was already answered in Dify. Start over to ask again.",
    );
    expect(buttonsOf(reply as FakeSlackMessage).map((b) => b.label)).toEqual(["Start over"]);
    // Dify refused the bridge's submission (412 human_input_form_submitted): nothing was answered twice.
    expect(e.dify.formSubmissions.filter((s) => s.status === 200)).toHaveLength(0);
  });

  it("a form delivered elsewhere (no form_token) says the answer waits for approval in Dify, then delivers it when approved", async () => {
    e = await SlackE2E.start(chatflow2026);
    e.dify.onChat(scripts.chatflowWithForms("Draft ready.", [{ ...APPROVAL, viaApi: false }], " Published."));
    const q = await e.mention({ text: "Write the post" });
    const waiting = await eventually(() => e.botReplies(q).find((m) => m.markdown.includes("Waiting for approval in Dify")), 15_000);
    expect(waiting.markdown).toBe("Draft ready.\n\n_⏸ Waiting for approval in Dify (Approval): the answer continues here once it is given._");
    // Still an answer in progress: its Stop stays (on the placeholder while the answer streams natively).
    expect(e.stopControl(q)).toBeDefined();
    await eventually(() => e.dify.workflowEventsRequests.length > 0);
    expect(e.dify.workflowEventsRequests[0]?.query).toMatchObject({ continue_on_pause: "true", include_state_snapshot: "true" });

    e.dify.workflowRuns.forms[0]?.submit({ action: "approve", inputs: {}, user: "reviewer@example.com" });
    const [reply] = await e.waitForAnswer(q, /Published/);
    expect(reply?.ts).toBe(waiting.ts);
    expect(reply?.markdown).toBe("Draft ready. Published.");
    expect(e.dify.chatRequests).toHaveLength(1);
  });
});
