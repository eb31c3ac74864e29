import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { type FakeSlackMessage, RESPONSE_URL_MAX_USES, slackTs } from "../../fakes/slack/index.js";
import {
  ANA,
  answerRevisions,
  BO,
  eventually,
  expectStreamedGrowth,
  hasStopButton,
  type Posted,
  SlackE2E,
  settle,
  type Transport,
} from "./slack-e2e-harness.js";

/** The bot's answer under a question it posted itself (the root is the bot's too, so it is left out). */
async function answerUnder(e: SlackE2E, q: Posted, expected: string): Promise<FakeSlackMessage> {
  return eventually(() => {
    const replies = e.botReplies(q).filter((m) => m.ts !== q.threadTs);
    const last = replies.at(-1);
    return replies.length === 1 && last?.markdown === expected && !hasStopButton(last) && last.stream !== "streaming" ? last : undefined;
  }, 15_000);
}

const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

describe.each<Transport>(["http", "socket"])("Slack commands over %s", (transport) => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("/ask posts the question with who asked, answers in its thread streamed, and a reply in the thread continues the conversation", async () => {
    e = await SlackE2E.start({ transport });
    const answer = "Refunds take **five** business days. ".repeat(6).trim();
    e.dify.onChat((turn) =>
      turn.query === "And for gift cards?" ? scripts.answer("Gift cards are not refundable.") : scripts.answer(answer, { chunkChars: 10, delayMs: 40 }),
    );

    await e.command({ command: "/ask", text: "How long do refunds take?" });
    const root = await eventually(() => e.slack.messages.postedBy(e.botUserId).find((m) => m.threadTs === undefined));
    expect(root).toMatchObject({ channel: "C0GENERAL", text: `<@${ANA.id}> asked:\n>How long do refunds take?` });
    const q = e.where("C0GENERAL", root.ts);
    const reply = await answerUnder(e, q, answer);
    expect(reply?.threadTs).toBe(root.ts);
    expectStreamedGrowth(answerRevisions(reply), answer);
    expect(e.dify.chatRequests[0]?.chat).toMatchObject({ query: "How long do refunds take?", conversation_id: "", user: q.conversationKey });

    await e.threadReply(q, { user: BO.id, text: "And for gift cards?" });
    await eventually(() => (e.botReplies(q).some((m) => m.markdown === "Gift cards are not refundable." && !hasStopButton(m)) ? true : undefined));
    expect(e.dify.chatRequests[1]?.chat).toMatchObject({ query: "And for gift cards?", conversation_id: e.dify.streams[0]?.conversationId });
  });

  it("/ask private and /ask-private answer only the asker through the response_url, streamed within its 5 uses; nothing is posted in the channel", async () => {
    e = await SlackE2E.start({ transport });
    const answer = "Only you can see this answer, and it grows as it streams. ".repeat(5).trim();
    e.dify.onChat(() => scripts.answer(answer, { chunkChars: 8, delayMs: 45 }));

    for (const [command, text] of [
      ["/ask", "private What is my leave balance?"],
      ["/ask-private", "What is my leave balance?"],
    ] as const) {
      const { hook } = await e.command({ command, text });
      const shown = await eventually(() => {
        const m = hook.messages.at(-1);
        return m && m.markdown === answer && !JSON.stringify(m.blocks).includes('"Stop"') ? m : undefined;
      });
      expect(hook.messages).toHaveLength(1);
      expect(shown.visibility).toBe("ephemeral");
      // Placeholder, at least one partial text, the exact final: within Slack's limit, none refused.
      expectStreamedGrowth(
        shown.revisions.slice(1).map((r) => r.markdown),
        answer,
      );
      expect(hook.uses.length).toBeLessThanOrEqual(RESPONSE_URL_MAX_USES);
      expect(hook.uses.every((u) => u.status === 200)).toBe(true);
    }
    expect(e.dify.chatRequests.map((r) => r.chat.query)).toEqual(["What is my leave balance?", "What is my leave balance?"]);
    // Two private asks are two conversations, neither in the channel.
    expect(new Set(e.dify.chatRequests.map((r) => r.chat.user)).size).toBe(2);
    expect(e.slack.callsTo("chat.postMessage")).toHaveLength(0);
    expect(e.slack.callsTo("chat.update")).toHaveLength(0);
    expect(e.slack.messages.postedBy(e.botUserId)).toHaveLength(0);
  });

  it("/new starts a new conversation: with a question, a new thread whose Dify call has no conversation_id; without, a private note", async () => {
    e = await SlackE2E.start({ transport });
    e.dify.onChat((turn) => scripts.answer(`Fresh answer to: ${turn.query}`));
    const { hook } = await e.command({ command: "/new", text: "" });
    await eventually(() => hook.messages[0]);
    expect(hook.messages[0]?.text).toMatch(/next message to me starts a new conversation/);
    expect(e.dify.chatRequests).toHaveLength(0);

    await e.command({ command: "/new", text: "Start over: what is Dify?", channel: "D0ANA" });
    const root = await eventually(() => e.slack.messages.postedBy(e.botUserId).find((m) => m.threadTs === undefined && m.channel === "D0ANA"));
    await answerUnder(e, e.where("D0ANA", root.ts), "Fresh answer to: Start over: what is Dify?");
    expect(e.dify.chatRequests[0]?.chat).toMatchObject({ query: "Start over: what is Dify?", conversation_id: "" });
  });

  it("the message shortcut asks about a message: its text and file go to Dify, the answer goes in a thread under it", async () => {
    e = await SlackE2E.start({ transport });
    e.dify.onChat((turn) => scripts.answer(`Seen ${turn.files.length} file(s).`));
    const channel = "C0GENERAL";
    const ts = slackTs();
    e.slack.messages.add({ channel, ts, user: BO.id, text: "Our Q3 numbers are attached, thoughts?", via: "user" });
    const png = e.slack.hostFile({ name: "q3.png", mimetype: "image/png", data: PNG });
    await e.interact(e.slack.messageShortcut({ callbackId: "ask_about_message", user: ANA.id, userName: ANA.name, channel, ts, files: [png] }));

    const q = e.where(channel, ts);
    await e.waitForAnswer(q, "Seen 1 file(s).");
    const chat = e.dify.chatRequests[0]?.chat;
    expect(chat?.query).toContain("Our Q3 numbers are attached, thoughts?");
    expect(chat?.query).toContain("Bo");
    expect(e.dify.uploads.map((u) => [u.name, u.mimeType])).toEqual([["q3.png", "image/png"]]);
    expect(Buffer.from(e.dify.uploads[0]?.bytes ?? []).equals(PNG)).toBe(true);
    expect(((chat?.files ?? []) as Array<{ upload_file_id: string }>).map((f) => f.upload_file_id)).toEqual([e.dify.uploads[0]?.id]);
  });
});

describe("Slack commands: safety", () => {
  let e: SlackE2E;
  let other: Server | undefined;
  afterEach(async () => {
    await e?.close();
    await new Promise<void>((r) => (other ? other.close(() => r()) : r()));
    other = undefined;
  });

  it("a private answer is never sent to a response_url outside Slack's webhook host", async () => {
    e = await SlackE2E.start();
    const received: string[] = [];
    other = createServer((req, res) => {
      received.push(req.url ?? "");
      res.end("ok");
    });
    await new Promise<void>((r) => other?.listen(0, "127.0.0.1", r));
    e.dify.onChat(() => scripts.answer("secret"));
    const body = e.slack.slashCommand({ command: "/ask-private", text: "tell me", channel: "C0GENERAL", user: ANA.id });
    await e.deliverCommand({ ...body, response_url: `http://127.0.0.1:${(other.address() as AddressInfo).port}/commands/T/1/x` });
    await settle(600);
    expect(received).toEqual([]);
    expect(e.dify.chatRequests).toHaveLength(0);
  });

  it("a long slow private answer keeps within the response_url's uses and still ends exact", async () => {
    e = await SlackE2E.start();
    const answer = Array.from({ length: 40 }, (_, i) => `Line ${i + 1} of a long answer.`).join("\n");
    e.dify.onChat(() => scripts.answer(answer, { chunkChars: 6, delayMs: 25 }));
    const { hook } = await e.command({ command: "/ask-private", text: "long one" });
    await eventually(
      () => (hook.messages.at(-1)?.markdown === answer && !JSON.stringify(hook.messages.at(-1)?.blocks).includes('"Stop"') ? true : undefined),
      20_000,
    );
    expect(hook.uses.filter((u) => u.status === 200).length).toBeLessThanOrEqual(RESPONSE_URL_MAX_USES);
    expect(hook.uses.filter((u) => u.status !== 200)).toEqual([]);
  });
});
