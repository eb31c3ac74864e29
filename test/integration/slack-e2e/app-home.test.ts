import { afterEach, describe, expect, it } from "vitest";
import { defaultAppParameters, replies, scripts } from "../../fakes/dify/index.js";
import { slackTs } from "../../fakes/slack/index.js";
import { ANA, eventually, hasStopButton, SlackE2E, settle, type Transport } from "./slack-e2e-harness.js";

/** Every text a Home view shows (headers, sections, context, button labels), in order. */
function textsOf(blocks: readonly Record<string, unknown>[]): string[] {
  const out: string[] = [];
  const text = (o: unknown) => (o && typeof o === "object" ? ((o as { text?: unknown }).text as string | undefined) : undefined);
  for (const b of blocks) {
    const own = text(b.text);
    if (own !== undefined) out.push(own);
    for (const e of (b.elements as Record<string, unknown>[] | undefined) ?? []) {
      if (typeof e.text === "string") out.push(e.text);
      const label = text(e.text);
      if (label !== undefined) out.push(label);
    }
  }
  return out;
}

function buttonLabels(blocks: readonly Record<string, unknown>[]): string[] {
  return blocks
    .filter((b) => b.type === "actions")
    .flatMap((b) => (b.elements as Array<{ type: string; text: { text: string } }>).filter((e) => e.type === "button").map((e) => e.text.text));
}

describe.each<Transport>(["http", "socket"])("Slack App Home over %s", (transport) => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("opening the Home tab publishes the Dify app's name, description, icon, opening statement, starter questions, how to use and a reset button", async () => {
    e = await SlackE2E.start({ transport });
    await e.send(e.slack.appHomeOpened(ANA.id));
    const tab = await eventually(() => e.slack.home.tab(ANA.id));
    const blocks = tab.view.blocks;
    expect(blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "Team Assistant", emoji: true } });
    const texts = textsOf(blocks);
    // /info's description with /site's emoji icon.
    expect(texts).toContain("🤖 Answers questions about the team handbook.");
    expect(texts).toContain("Hi! I'm the team assistant. Ask me anything about our handbook.");
    expect(texts.some((t) => /How to use me/.test(t) && /\/ask/.test(t))).toBe(true);
    expect(buttonLabels(blocks)).toEqual(["What can you do?", "How do I request time off?", "Start a new conversation"]);
    // The app's details came from Dify's /info, /site and /parameters.
    const paths = e.dify.requests.map((r) => r.path);
    for (const p of ["/v1/info", "/v1/site", "/v1/parameters"]) expect(paths).toContain(p);
  });

  it("the Messages tab publishes nothing; a second open soon after is served from the cache (no new Dify calls)", async () => {
    e = await SlackE2E.start({ transport });
    await e.send(e.slack.appHomeOpened(ANA.id, "messages"));
    await settle(500);
    expect(e.slack.callsTo("views.publish")).toEqual([]);
    await e.send(e.slack.appHomeOpened(ANA.id));
    await eventually(() => e.slack.home.tab(ANA.id));
    const difyCalls = () => e.dify.requests.filter((r) => r.path === "/v1/info" || r.path === "/v1/site").length;
    const before = difyCalls();
    await e.send(e.slack.appHomeOpened(ANA.id));
    await eventually(() => (e.slack.callsTo("views.publish").length === 2 ? true : undefined));
    expect(difyCalls()).toBe(before);
  });

  it("a starter question's button asks it in the DM with the bot (conversations.open) and answers there, streamed, like a DM", async () => {
    e = await SlackE2E.start({ transport });
    const answer = "I can answer questions about the handbook, summarise documents and more. ".repeat(3).trim();
    e.dify.onChat(() => scripts.answer(answer, { chunkChars: 12, delayMs: 40 }));
    await e.send(e.slack.appHomeOpened(ANA.id));
    await eventually(() => e.slack.home.tab(ANA.id));

    await e.interact(e.slack.homeButtonClick({ user: ANA.id, label: "What can you do?" }));
    const dm = e.slack.home.dmChannelOf(ANA.id);
    expect(await eventually(() => e.slack.callsTo("conversations.open")[0])).toMatchObject({ args: { users: ANA.id } });
    const root = await eventually(() => e.slack.messages.postedBy(e.botUserId).find((m) => m.channel === dm && m.threadTs === undefined));
    expect(root.text).toBe(`<@${ANA.id}> asked:\n>What can you do?`);
    const q = e.where(dm, root.ts);
    // The root is the bot's own post of the question; the answer is the one reply under it.
    const reply = await eventually(() => {
      const replies = e.botReplies(q).filter((m) => m.ts !== root.ts);
      const last = replies.at(-1);
      return replies.length === 1 && last?.markdown === answer && !hasStopButton(last) ? last : undefined;
    }, 20_000);
    expect(reply.threadTs).toBe(root.ts);
    expect(reply.revisions.length).toBeGreaterThan(2);
    expect(e.dify.chatRequests[0]?.chat).toMatchObject({ query: "What can you do?", conversation_id: "", user: q.conversationKey });
    // The Home click itself never reached the core as a message button (nothing was dropped as incomplete).
    expect(e.h.logs.some((l) => /ignored/.test(l.msg ?? "") && l.obj.reason === "incomplete")).toBe(false);
  });

  it("the reset button forgets the DM's conversations: the next message in a DM thread has no conversation_id", async () => {
    e = await SlackE2E.start({ transport });
    e.dify.onChat((turn) => scripts.answer(`Answer to ${turn.query}`));
    const dm = e.slack.home.dmChannelOf(ANA.id);
    // A DM conversation with one follow-up: the follow-up continues it.
    const ts = slackTs();
    e.slack.messages.add({ channel: dm, ts, user: ANA.id, text: "first", via: "user" });
    await e.send(e.slack.payloads.envelope(e.slack.payloads.message({ channel: dm, channel_type: "im", user: ANA.id, ts, text: "first" })));
    const q = e.where(dm, ts);
    await e.waitForAnswer(q, "Answer to first");
    await e.threadReply(q, { text: "second" });
    await eventually(() => (e.dify.chatRequests.length === 2 && e.finalReplies(q)?.length === 2 ? true : undefined), 15_000);
    const conversation = e.dify.streams[0]?.conversationId;
    expect(conversation).toBeTruthy();
    expect(e.dify.chatRequests[1]?.chat.conversation_id).toBe(conversation);

    await e.send(e.slack.appHomeOpened(ANA.id));
    await eventually(() => e.slack.home.tab(ANA.id));
    const publishedBefore = e.slack.callsTo("views.publish").length;
    const click = e.slack.homeButtonClick({ user: ANA.id, label: "Start a new conversation" });
    await e.interact(click);
    // The Home tab confirms it.
    await eventually(() =>
      textsOf(e.slack.home.tab(ANA.id)?.view.blocks ?? []).some((t) => /next message to me starts a new conversation/.test(t)) ? true : undefined,
    );
    // The same click delivered again (same trigger) is recognised: no second reset, no second publish.
    await e.interact(click);
    await settle(500);
    expect(e.slack.callsTo("views.publish").length).toBe(publishedBefore + 1);

    await e.threadReply(q, { text: "third" });
    await eventually(() => (e.dify.chatRequests.length === 3 ? true : undefined), 15_000);
    // A new Dify conversation that starts from nothing: the thread so far is not sent as context either.
    expect(e.dify.chatRequests[2]?.chat).toMatchObject({ query: "third", conversation_id: "", user: q.conversationKey });
    expect(e.slack.callsTo("conversations.replies")).toEqual([]);
    await eventually(() => (e.finalReplies(q)?.length === 3 ? true : undefined), 15_000);
  });
});

describe("Slack App Home in the AI app (SLACK_AI_APP on, the default)", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("a starter question is answered in the DM with Slack's AI-app surfaces, in one message", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true" } });
    const answer = "Here is what I can do for you. ".repeat(4).trim();
    e.dify.onChat(() => scripts.answer(answer, { chunkChars: 10, delayMs: 30 }));
    await e.send(e.slack.appHomeOpened(ANA.id));
    await eventually(() => e.slack.home.tab(ANA.id));
    await e.interact(e.slack.homeButtonClick({ user: ANA.id, label: "How do I request time off?" }));
    const dm = e.slack.home.dmChannelOf(ANA.id);
    const root = await eventually(() => e.slack.messages.postedBy(e.botUserId).find((m) => m.channel === dm && m.threadTs === undefined));
    const q = e.where(dm, root.ts);
    const reply = await eventually(() => {
      const replies = e.botReplies(q).filter((m) => m.ts !== root.ts);
      const last = replies.at(-1);
      return replies.length === 1 && last?.markdown === answer && last.stream !== "streaming" ? last : undefined;
    }, 20_000);
    expect(reply.threadTs).toBe(root.ts);
    expect(e.dify.chatRequests[0]?.chat).toMatchObject({ query: "How do I request time off?", conversation_id: "" });
    expect(e.problems()).toEqual([]);
  });
});

describe("Slack App Home: what Dify says about the app", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("an image icon is shown as an image; long starters fit Slack's limits", async () => {
    e = await SlackE2E.start({
      dify: {
        site: {
          title: "Site title",
          description: "",
          icon_type: "image",
          icon: "file-1",
          icon_background: null,
          icon_url: "https://dify.example.com/icon.png",
        },
        parameters: { ...defaultAppParameters(), suggested_questions: ["q".repeat(200), "Short one"] },
      },
    });
    await e.send(e.slack.appHomeOpened(ANA.id));
    const tab = await eventually(() => e.slack.home.tab(ANA.id));
    const context = tab.view.blocks.find((b) => b.type === "context") as { elements: Array<Record<string, unknown>> };
    expect(context.elements[0]).toEqual({ type: "image", image_url: "https://dify.example.com/icon.png", alt_text: "Team Assistant" });
    // The long starter's label is cut to 75 characters; its value (what is asked) is the whole question.
    const starters = (tab.view.blocks.find((b) => b.block_id === "home_starters") as { elements: Array<{ text: { text: string }; value: string }> }).elements;
    expect([...starters[0]!.text.text].length).toBe(75);
    expect(starters[0]!.value).toBe("q".repeat(200));
  });

  it("an app without a site (Dify answers 403) still gets its home: name and description from /info, no icon", async () => {
    e = await SlackE2E.start({ dify: { site: null } });
    await e.send(e.slack.appHomeOpened(ANA.id));
    const tab = await eventually(() => e.slack.home.tab(ANA.id));
    expect(tab.view.blocks[0]).toMatchObject({ type: "header", text: { text: "Team Assistant" } });
    expect(tab.view.blocks.find((b) => b.type === "context")).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "Answers questions about the team handbook." }],
    });
    expect(e.dify.requests.find((r) => r.path === "/v1/site")?.status).toBe(403);
  });

  it("Dify unreachable: the home says so instead of staying blank", async () => {
    e = await SlackE2E.start();
    const stopFailing = e.dify.intercept((call) => (call.path === "/v1/info" ? replies.json(500, "internal_server_error", "boom") : undefined));
    await e.send(e.slack.appHomeOpened(ANA.id));
    const tab = await eventually(() => e.slack.home.tab(ANA.id));
    expect(JSON.stringify(tab.view.blocks)).toContain("could not reach the assistant");
    // A failure is not cached: once Dify answers again, the next open shows the app.
    stopFailing();
    await e.send(e.slack.appHomeOpened(ANA.id));
    await eventually(() => (JSON.stringify(e.slack.home.tab(ANA.id)?.view.blocks).includes("Team Assistant") ? true : undefined));
  });
});
