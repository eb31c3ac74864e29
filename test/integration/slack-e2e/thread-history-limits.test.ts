import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { slackTs } from "../../fakes/slack/index.js";
import { ANA, BO, eventually, type Posted, SlackE2E } from "./slack-e2e-harness.js";

const CHANNEL = "C0GENERAL";

/**
 * conversations.replies as Slack limits it for apps outside the Marketplace (1 call a minute, 15 messages a
 * call): a thread of 22 messages (the root and 21 replies) before anyone asks the bot into it.
 */
async function threadOf22(e: SlackE2E, opts: { bridgeSees: boolean }): Promise<{ root: Posted; replies: string[] }> {
  const rootTs = slackTs();
  const rootText = "Release plan: we ship version 7 on Friday the 13th.";
  e.slack.messages.add({ channel: CHANNEL, ts: rootTs, user: BO.id, text: rootText, via: "user" });
  if (opts.bridgeSees) await e.send(e.slack.payloads.envelope(e.slack.payloads.message({ channel: CHANNEL, user: BO.id, ts: rootTs, text: rootText })));
  const root = e.where(CHANNEL, rootTs);
  const replies: string[] = [];
  for (let i = 1; i <= 21; i++) {
    const text = i === 21 ? "Correction: the release moved to Tuesday the 17th." : `Note ${i}: checklist item ${i} is done.`;
    replies.push(text);
    const user = i % 2 === 0 ? ANA.id : BO.id;
    const ts = slackTs();
    e.slack.messages.add({ channel: CHANNEL, ts, threadTs: rootTs, user, text, via: "user" });
    if (opts.bridgeSees) {
      await e.send(e.slack.payloads.envelope(e.slack.payloads.message({ channel: CHANNEL, user, ts, thread_ts: rootTs, text })));
    }
  }
  return { root, replies };
}

/** `user` mentions the bot inside the thread. */
async function askInThread(e: SlackE2E, root: Posted, text: string): Promise<void> {
  const ts = slackTs();
  const full = `<@${e.botUserId}> ${text}`;
  e.slack.messages.add({ channel: CHANNEL, ts, threadTs: root.threadTs, user: ANA.id, text: full, via: "user" });
  const [mention, message] = e.slack.payloads.mentionPair({ channel: CHANNEL, user: ANA.id, ts, thread_ts: root.threadTs, text: full });
  await e.send(mention);
  await e.send(message);
}

describe("Thread context within Slack's limits on conversations.replies (apps outside the Marketplace)", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("a thread the bridge saw go by is read from what it kept: no conversations.replies call, and the latest messages are in the context", async () => {
    e = await SlackE2E.start({ fakeSlack: { historyLimits: "non_marketplace" } });
    e.dify.onChat(() => scripts.answer("Tuesday the 17th."));
    const { root } = await threadOf22(e, { bridgeSees: true });
    await askInThread(e, root, "when do we ship?");
    await e.waitForAnswer(root, "Tuesday the 17th.");
    const query = String(e.dify.chatRequests[0]?.chat.query);
    expect(query).toContain("Release plan: we ship version 7 on Friday the 13th.");
    expect(query).toContain("Correction: the release moved to Tuesday the 17th.");
    expect(query).toContain("Earlier messages in this thread:");
    expect(query).toMatch(/Question: when do we ship\?$/);
    expect(e.slack.callsTo("conversations.replies")).toHaveLength(0);
  });

  it("a thread the bridge never saw: the one page Slack allows gives the start of the thread, the next page's 429 ends the reading, and the question still goes out with that context", async () => {
    e = await SlackE2E.start({ fakeSlack: { historyLimits: "non_marketplace" } });
    e.dify.onChat(() => scripts.answer("Friday, as far as I can see."));
    const { root, replies } = await threadOf22(e, { bridgeSees: false });
    await askInThread(e, root, "when do we ship?");
    await e.waitForAnswer(root, "Friday, as far as I can see.");
    const calls = e.slack.callsTo("conversations.replies");
    expect(calls.map((c) => c.status)).toEqual([200, 429]);
    const query = String(e.dify.chatRequests[0]?.chat.query);
    // 15 messages a call: the root and the first 14 replies.
    expect(query).toContain("Release plan: we ship version 7 on Friday the 13th.");
    expect(query).toContain(replies[13]);
    expect(query).not.toContain(replies[14]);
    expect(query).toContain("Context from the last 15 messages of this thread that could be read:");
    expect(query).toContain("(… some messages of the thread could not be read …)");
    expect(query).toMatch(/Question: when do we ship\?$/);
  });

  it("within Slack's Retry-After a second unseen thread makes no call at all and is answered with no context", async () => {
    e = await SlackE2E.start({ fakeSlack: { historyLimits: "non_marketplace" } });
    e.dify.onChat((req) => scripts.answer(req.query.includes("second") ? "Second." : "First."));
    const first = await threadOf22(e, { bridgeSees: false });
    await askInThread(e, first.root, "first question");
    await e.waitForAnswer(first.root, "First.");
    expect(e.slack.callsTo("conversations.replies").map((c) => c.status)).toEqual([200, 429]);

    const second = await threadOf22(e, { bridgeSees: false });
    await askInThread(e, second.root, "second question");
    await e.waitForAnswer(second.root, "Second.");
    expect(e.slack.callsTo("conversations.replies")).toHaveLength(2);
    expect(await eventually(() => e.dify.chatRequests[1]?.chat.query)).toBe("second question");
  });
});
