import { afterEach, describe, expect, it } from "vitest";
import { createGate, type FakeDifyServer, scripts, steps } from "../../fakes/dify/index.js";
import { ANA, eventually, SlackE2E, settle } from "../slack-e2e/slack-e2e-harness.js";
import { RoutesFile, reloaded, SUPPORT_KEY, supportRoutes } from "./routes-support.js";

const SUPPORT_CHANNEL = "C0SUPPORT";

/**
 * Real Bolt against the fake Slack, one bridge, two Dify apps on one fake Dify (the key picks the app): the
 * DIFY_* app answers by default, "support" answers in one channel.
 */
describe("Slack: routes send each channel to its Dify app", () => {
  let e: SlackE2E;
  let support: FakeDifyServer;
  let routes: RoutesFile;
  afterEach(async () => e?.close());

  async function start(routeLines: readonly string[]): Promise<void> {
    routes = new RoutesFile(supportRoutes(routeLines));
    e = await SlackE2E.start({ env: { ROUTES_FILE: routes.path, DIFY_KEY_SUPPORT: SUPPORT_KEY } });
    support = e.dify.addApp({ apiKey: SUPPORT_KEY, appName: "Support" });
    e.dify.onChat((t) => scripts.answer(`general: ${t.query}`));
    support.onChat((t) => scripts.answer(`support: ${t.query}`));
  }

  it("channel X reaches the support app with its key and inputs, everything else the default app; a 👍 in X rates the message in support", async () => {
    await start([`{ app: support, platform: slack, channel: ${SUPPORT_CHANNEL} }`]);
    const inSupport = await e.mention({ channel: SUPPORT_CHANNEL, text: "my order is late" });
    const elsewhere = await e.mention({ channel: "C0GENERAL", text: "lunch menu?" });
    const [supportReply] = await e.waitForAnswer(inSupport, "support: my order is late");
    await e.waitForAnswer(elsewhere, "general: lunch menu?");

    expect(support.chatRequests).toHaveLength(1);
    expect(support.chatRequests[0]?.headers.authorization).toBe(`Bearer ${SUPPORT_KEY}`);
    expect(support.chatRequests[0]?.chat).toMatchObject({ query: "my order is late", inputs: { team: "support" }, user: inSupport.conversationKey });
    expect(e.dify.chatRequests).toHaveLength(1);
    expect(e.dify.chatRequests[0]?.headers.authorization).toBe(`Bearer ${e.dify.apiKey}`);
    expect(e.dify.chatRequests[0]?.chat.query).toBe("lunch menu?");

    // A follow-up in the support thread continues support's conversation.
    await e.threadReply(inSupport, { text: "order 42" });
    await e.waitForAnswer(inSupport, /support: order 42$/);
    expect(support.chatRequests[1]?.chat.conversation_id).toBe(support.streams[0]?.conversationId);
    expect(e.dify.chatRequests).toHaveLength(1);

    if (!supportReply) throw new Error("no reply");
    await e.react(true, ANA, supportReply, "+1");
    await eventually(() => support.feedbackRequests.length === 1);
    expect(support.feedbackRequests[0]).toMatchObject({ messageId: support.streams[0]?.messageId, rating: "like", user: inSupport.conversationKey });
    await settle();
    expect(e.dify.feedbackRequests).toHaveLength(0);
  });

  it("a route change while an answer streams: that answer finishes on its app, the next message goes to the new one without the old conversation id", async () => {
    await start([`{ app: support, platform: slack, channel: ${SUPPORT_CHANNEL} }`]);
    const gate = createGate();
    support.onChatOnce(() => [steps.message("support, part one"), steps.waitFor(gate), steps.message(" and part two"), steps.messageEnd()]);
    const q = await e.mention({ channel: SUPPORT_CHANNEL, text: "long question" });
    await eventually(() => e.botReplies(q).some((m) => m.markdown.includes("support, part one")));

    const before = e.h.logs.length;
    routes.write(supportRoutes([`{ app: default, platform: slack, channel: ${SUPPORT_CHANNEL} }`]));
    await reloaded(e.h.logs, before);
    gate.open();
    await e.waitForAnswer(q, "support, part one and part two");
    expect(await support.streams[0]?.done).toBe("completed");

    await e.threadReply(q, { text: "and now?" });
    await e.waitForAnswer(q, /general: .*and now\?$/s);
    expect(support.chatRequests).toHaveLength(1);
    expect(e.dify.chatRequests).toHaveLength(1);
    // Support's conversation id means nothing to the default app: it was not sent.
    expect(e.dify.chatRequests[0]?.chat.conversation_id ?? "").toBe("");
    expect(e.dify.chatRequests[0]?.status).toBe(200);
    // The thread moved apps: the new app is given the thread so far as context.
    expect(e.dify.chatRequests[0]?.chat.query).toContain("long question");
  });

  it("a bad file at reload keeps the routes in force and logs every problem; SIGHUP's reload applies a good one", async () => {
    await start([`{ app: support, platform: slack, channel: ${SUPPORT_CHANNEL} }`]);
    const before = e.h.logs.length;
    routes.write("apps:\n  - id: support\n    key_env: DIFY_KEY_MISSING\nroutes:\n  - { app: nobody, channel: C1 }\n");
    const logged = await eventually(() => e.h.logs.slice(before).find((l) => l.msg === "routes file has errors; the routes in force are kept"), 5_000);
    const problems = (logged.obj.problems as string[]).join("\n");
    expect(problems).toContain("DIFY_KEY_MISSING is not set");
    expect(problems).toContain('no app "nobody"');
    expect(e.h.bridge.reloadRoutes("SIGHUP")).toBe(false);

    const q = await e.mention({ channel: SUPPORT_CHANNEL, text: "still routed?" });
    await e.waitForAnswer(q, "support: still routed?");

    routes.write(supportRoutes([]));
    await reloaded(e.h.logs, before);
    expect(e.h.bridge.reloadRoutes("SIGHUP")).toBe(true);
    const after = await e.mention({ channel: SUPPORT_CHANNEL, text: "and now?" });
    await e.waitForAnswer(after, "general: and now?");
  });

  it("the Home tab shows the app a person's DM is routed to, and its starter questions are answered by that app", async () => {
    await start(["{ app: support, platform: slack, dm: true }"]);
    support.configure({
      parameters: { ...support.settings.parameters, opening_statement: "Support here.", suggested_questions: ["Where is my order?"] },
      site: null,
    });
    await e.send(e.slack.appHomeOpened(ANA.id));
    const tab = await eventually(() => e.slack.home.tab(ANA.id));
    expect(tab.view.blocks[0]).toMatchObject({ type: "header", text: { text: "Support" } });
    expect(JSON.stringify(tab.view.blocks)).toContain("Support here.");
    await e.interact(e.slack.homeButtonClick({ user: ANA.id, label: "Where is my order?" }));
    await eventually(() => (support.chatRequests[0]?.chat.query === "Where is my order?" ? true : undefined), 15_000);
    expect(e.dify.chatRequests).toHaveLength(0);
  });
});
