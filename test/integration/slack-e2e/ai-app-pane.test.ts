import { afterEach, describe, expect, it } from "vitest";
import { defaultAppParameters, scripts } from "../../fakes/dify/index.js";
import { slackTs } from "../../fakes/slack/index.js";
import { ANA, eventually, SlackE2E, settle } from "./slack-e2e-harness.js";

const DM = "D0ANA";
const OPENING = "Hi! I'm the team assistant. Ask me anything about our handbook.";
const STARTERS = ["What can you do?", "How do I request time off?"];

/** A message `user` types in the DM with the app, as Slack stores and sends it (a thread reply when `threadTs`). */
async function dm(e: SlackE2E, text: string, threadTs?: string): Promise<{ ts: string; threadTs: string }> {
  const ts = slackTs();
  e.slack.messages.add({ channel: DM, ts, user: ANA.id, text, via: "user", ...(threadTs ? { threadTs } : {}) });
  await e.send(
    e.slack.payloads.envelope(
      e.slack.payloads.message({ channel: DM, channel_type: "im", user: ANA.id, ts, text, ...(threadTs ? { thread_ts: threadTs } : {}) }),
    ),
  );
  return { ts, threadTs: threadTs ?? ts };
}

describe("Slack AI app: the DM pane shows the Dify app's opening statement and starter questions", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("agent_view: opening the Messages tab (app_home_opened) sets the prompts for the DM, without a thread_ts; the Home tab sets none", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true" } });
    await e.send(e.slack.appHomeOpened(ANA.id, "home"));
    await e.send(e.slack.appHomeOpened(ANA.id, "messages"));
    const shown = await eventually(() => e.slack.assistant.prompts.get(e.slack.home.dmChannelOf(ANA.id)));
    expect(shown).toEqual({ title: OPENING, prompts: STARTERS.map((q) => ({ title: q, message: q })) });
    const calls = e.slack.callsTo("assistant.threads.setSuggestedPrompts");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args.thread_ts).toBeUndefined();
    expect(e.dify.requests.filter((r) => r.path.endsWith("/parameters")).length).toBeGreaterThanOrEqual(1);
  });

  it("an app without starter questions suggests nothing (Slack needs at least one prompt)", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true" }, dify: { parameters: { ...defaultAppParameters(), suggested_questions: [] } } });
    await e.send(e.slack.appHomeOpened(ANA.id, "messages"));
    await eventually(() => (e.dify.requests.some((r) => r.path.endsWith("/parameters")) ? true : undefined));
    await settle(200);
    expect(e.slack.callsTo("assistant.threads.setSuggestedPrompts")).toHaveLength(0);
  });

  it("legacy assistant_view: assistant_thread_started sets the prompts on its thread; the context it carries reaches Dify's CONTEXT_INPUT, and follows a context change", async () => {
    const parameters = {
      ...defaultAppParameters(),
      user_input_form: [{ paragraph: { label: "Where the user is", variable: "slack_context", required: false, max_length: 500, default: "" } }],
    };
    e = await SlackE2E.start({
      slackEnv: { SLACK_AI_APP: "true" },
      env: { CONTEXT_INPUT: "slack_context" },
      fakeSlack: { aiExperience: "assistant" },
      dify: { parameters },
    });
    e.dify.onChat(() => scripts.answer("Sure."));
    // Slack creates the thread's root (subtype assistant_app_thread) when the container opens.
    const threadTs = slackTs();
    e.slack.messages.add({ channel: DM, ts: threadTs, user: ANA.id, text: "New chat", via: "user" });
    const context = { channel_id: "C0GENERAL", team_id: e.slack.team.teamId, enterprise_id: "E0ORG" };
    await e.send(e.slack.payloads.envelope(e.slack.payloads.assistantThreadStarted({ user: ANA.id, channel: DM, threadTs, context })));

    const shown = await eventually(() => e.slack.assistant.prompts.get(`${DM}/${threadTs}`));
    expect(shown?.prompts.map((p) => p.message)).toEqual(STARTERS);
    expect(shown?.title).toBe(OPENING);

    await dm(e, "Summarize this channel", threadTs);
    const first = await eventually(() => e.dify.chatRequests[0]);
    expect(first.chat.inputs).toMatchObject({ slack_context: JSON.stringify(context) });

    const moved = { channel_id: "C0RANDOM", team_id: e.slack.team.teamId };
    await e.send(e.slack.payloads.envelope(e.slack.payloads.assistantThreadContextChanged({ user: ANA.id, channel: DM, threadTs, context: moved })));
    await settle(100);
    await dm(e, "And this one?", threadTs);
    const second = await eventually(() => e.dify.chatRequests[1]);
    expect(second.chat.inputs).toMatchObject({ slack_context: JSON.stringify(moved) });
  });

  it("CONTEXT_INPUT is not sent to an app whose input form does not declare it", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true" }, env: { CONTEXT_INPUT: "slack_context" }, fakeSlack: { aiExperience: "assistant" } });
    e.dify.onChat(() => scripts.answer("Sure."));
    const threadTs = slackTs();
    e.slack.messages.add({ channel: DM, ts: threadTs, user: ANA.id, text: "New chat", via: "user" });
    await e.send(
      e.slack.payloads.envelope(
        e.slack.payloads.assistantThreadStarted({ user: ANA.id, channel: DM, threadTs, context: { channel_id: "C0GENERAL", team_id: e.slack.team.teamId } }),
      ),
    );
    await dm(e, "Hello", threadTs);
    const req = await eventually(() => e.dify.chatRequests[0]);
    expect(req.chat.inputs).not.toHaveProperty("slack_context");
  });

  it("a DM thread gets its first question as title (assistant.threads.setTitle); a later question does not rename it", { timeout: 60_000 }, async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true" } });
    e.dify.onChat((req) => scripts.answer(`Answer to ${String(req.query).slice(0, 20)}`));
    const q = await dm(e, "How do I request time off?\nI start on Monday.");
    await eventually(() => e.slack.assistant.titleOf(DM, q.threadTs));
    expect(e.slack.assistant.titleOf(DM, q.threadTs)).toBe("How do I request time off? I start on Monday.");
    // Answers get the e2e suite's usual 20 s (the default 10 s was once too short on a loaded CI machine).
    await eventually(() => (e.botReplies({ ...e.where(DM, q.ts) }).length === 1 ? true : undefined), 20_000);
    await dm(e, "And sick leave?", q.threadTs);
    await eventually(() => e.dify.chatRequests[1], 20_000);
    await eventually(() => (e.botReplies(e.where(DM, q.ts)).length === 2 ? true : undefined), 20_000);
    expect(e.slack.callsTo("assistant.threads.setTitle")).toHaveLength(1);
    expect(e.slack.assistant.titles.get(`${DM}/${q.threadTs}`)).toEqual(["How do I request time off? I start on Monday."]);
  });
});
