import { describe, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import type { FakeDiscord, StoredMessage } from "../../fakes/discord/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { messageWrites, mismatchWhenRejoined, startDiscordE2E } from "./support.js";

const IS_COMPONENTS_V2 = 1 << 15;

interface Node {
  type: number;
  content?: string;
  custom_id?: string;
  label?: string;
  components?: Node[];
}

const all = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...all(n.components ?? [])]);
const textsOf = (m: { components: unknown[] }): string[] =>
  all(m.components as Node[])
    .filter((n) => n.type === 10)
    .map((n) => n.content ?? "");
const buttonsOf = (m: { components: unknown[] }) =>
  all(m.components as Node[])
    .filter((n) => n.type === 2)
    .map((n) => ({ customId: n.custom_id ?? "", label: n.label ?? "" }));
/** The answer text of a V2 message: its first text display. */
const answerOf = (m: { components: unknown[] }): string => textsOf(m)[0] ?? "";
const isFinalV2 = (m: StoredMessage) => !answerOf(m).startsWith("_") && !buttonsOf(m).some((b) => b.label === "Stop");

function finalV2Messages(fake: FakeDiscord, channelId: string, count: number): StoredMessage[] | undefined {
  const messages = fake.botMessages(channelId);
  return messages.length >= count && messages.every(isFinalV2) ? messages : undefined;
}

/** A paragraph-rich answer of about `chars` characters (the split keeps paragraphs whole where it can). */
function longAnswer(chars: number): string {
  const paragraphs: string[] = [];
  for (let i = 1; paragraphs.join("\n\n").length < chars; i++) {
    paragraphs.push(`Step ${i}: check the configuration of service ${i}, restart it, and confirm its health endpoint answers within two seconds.`);
  }
  return paragraphs.join("\n\n").slice(0, chars).trimEnd();
}

const RESOURCES = [1, 2, 3].map((i) => ({
  position: i,
  dataset_name: "Runbooks",
  document_name: `runbook-${i}.md`,
  content: `Runbook ${i} excerpt`,
  score: 0.9,
  doc_metadata: { url: `https://wiki.example.com/runbooks/${i}` },
}));

/** Real discord.js ↔ fake Discord with DISCORD_COMPONENTS_V2=true: answers as containers of text displays. */
describe.concurrent("discord end to end: Components V2", () => {
  it("a 6,000-character answer with sources and suggestions is 2 Components V2 messages within Discord's limits; streaming edits respect them too", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { discordEnv: { DISCORD_COMPONENTS_V2: "true" } });
    dify.configure({ parameters: { ...dify.settings.parameters, suggested_questions_after_answer: { enabled: true } } });
    dify.setSuggestedQuestions(["How do I roll back?", "Who is on call?"]);
    const answer = longAnswer(6_000);
    expect(answer.length).toBeGreaterThan(5_900);
    dify.onChat((turn) =>
      turn.query === "Who is on call?"
        ? scripts.answer("Dana is on call this week.")
        : scripts.answer(answer, { chunkChars: 150, delayMs: 25, retrieverResources: RESOURCES }),
    );
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> How do I recover the cluster?` });

    const messages = await eventually(() => {
      const m = finalV2Messages(fake, q.id, 2);
      return m && buttonsOf(m.at(-1)!).length === 2 ? m : undefined;
    }, 40_000);
    expect(messages).toHaveLength(2);
    for (const m of messages) {
      expect(m.flags & IS_COMPONENTS_V2).toBe(IS_COMPONENTS_V2);
      expect(m.content).toBe("");
      expect(m.embeds).toEqual([]);
      expect(textsOf(m).join("").length).toBeLessThanOrEqual(4_000);
      expect(all(m.components as Node[]).length).toBeLessThanOrEqual(40);
    }
    // Nothing lost or added: the answer is the first text display of each message, in order.
    expect(mismatchWhenRejoined(answer, messages.map(answerOf))).toBeNull();

    // The last message is a container: the answer, a separator, the sources, the suggestion buttons in a row.
    const last = messages[1]!;
    const [container] = last.components as Node[];
    expect(container?.type).toBe(17);
    expect(container?.components?.map((c) => c.type)).toEqual([10, 14, 10, 1]);
    expect(textsOf(last)[1]).toBe(
      [
        "**Sources**",
        "1. [runbook-1.md](https://wiki.example.com/runbooks/1)",
        "2. [runbook-2.md](https://wiki.example.com/runbooks/2)",
        "3. [runbook-3.md](https://wiki.example.com/runbooks/3)",
      ].join("\n"),
    );
    expect(buttonsOf(last).map((b) => b.label)).toEqual(["How do I roll back?", "Who is on call?"]);
    // The first part has neither sources nor buttons: a bare text display.
    expect((messages[0]!.components as Node[]).map((c) => c.type)).toEqual([10]);

    // Every create and edit, streaming ones included, was accepted: the fake validates each against the limits.
    const writes = messageWrites(fake, q.id);
    expect(writes.length).toBeGreaterThan(4);
    expect(writes.filter((w) => w.status !== 200).map((w) => [w.status, JSON.stringify(w.json).slice(0, 200)])).toEqual([]);
    expect(messages[0]!.edits.length).toBeGreaterThanOrEqual(2);
    expect(messages[0]!.edits.some((e) => e.components.some((c) => (c as Node).type === 17))).toBe(true);

    // A suggestion button inside the container works like any other.
    const suggestion = buttonsOf(last).find((b) => b.label === "Who is on call?")!;
    fake.users.clickButton({ channelId: q.id, messageId: last.id, customId: suggestion.customId, userId: fake.ids.bob });
    const three = await eventually(() => finalV2Messages(fake, q.id, 3), 20_000);
    expect(answerOf(three[2]!)).toBe("**Bob** asked: Who is on call?\n\nDana is on call this week.");
    expect(dify.chatRequests[1]?.chat.query).toBe("Who is on call?");
  });

  it("/ask ephemeral: the private answer streams into the command's response as Components V2, every edit accepted", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { discordEnv: { DISCORD_COMPONENTS_V2: "true" } });
    await eventually(() => fake.commands.registered.get("global"), 30_000);
    const answer = longAnswer(3_000);
    dify.onChat(() => scripts.answer(answer, { chunkChars: 120, delayMs: 30 }));
    const { interactionId } = fake.users.runCommand({ channelId: fake.ids.general, name: "ask", options: { question: "Private?", ephemeral: true } });
    const response = await eventually(() => {
      const r = fake.commands.responses.get(interactionId);
      return r && answerOf(r.message) === answer && isFinalV2(r.message) ? r : undefined;
    }, 30_000);
    expect(response.ephemeral).toBe(true);
    expect(response.message.flags & IS_COMPONENTS_V2).toBe(IS_COMPONENTS_V2);
    expect(response.message.content).toBe("");
    // It streamed: partial answers first, each a prefix of the answer.
    const partial = response.message.edits.map((e) => answerOf(e)).filter((t) => t !== "" && t !== answer && !t.startsWith("_"));
    expect(partial.length).toBeGreaterThan(0);
    for (const t of partial) expect(answer.startsWith(t)).toBe(true);
    const rejected = fake.requests.filter((r) => r.path.startsWith("/webhooks/") && r.status >= 400);
    expect(rejected).toEqual([]);
  });

  it("by default (DISCORD_COMPONENTS_V2 unset) answers stay plain content of at most 2,000 characters with a Sources embed", async ({
    expect,
    onTestFinished,
  }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished });
    const answer = longAnswer(6_000);
    dify.onChat(() => scripts.answer(answer, { chunkChars: 300, delayMs: 10, retrieverResources: RESOURCES }));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> How do I recover the cluster?` });
    const messages = await eventually(() => {
      const m = fake.botMessages(q.id);
      return m.length >= 3 && m.at(-1)!.embeds.length === 1 && !m.some((x) => x.content.startsWith("_")) ? m : undefined;
    }, 40_000);
    expect(messages.length).toBeGreaterThanOrEqual(4);
    for (const m of messages) {
      expect(m.flags & IS_COMPONENTS_V2).toBe(0);
      expect(m.content.length).toBeLessThanOrEqual(2_000);
    }
    expect(
      mismatchWhenRejoined(
        answer,
        messages.map((m) => m.content),
      ),
    ).toBeNull();
    expect((messages.at(-1)!.embeds[0] as { title?: string }).title).toBe("Sources");
  });

  it("the fake rejects Components V2 bodies Discord would: content or embeds with the flag, over 40 components, over 4,000 characters, bad nesting, removing the flag", async ({
    expect,
    onTestFinished,
  }) => {
    // Requests straight to the fake's REST API, with its per-channel rate limit out of the way.
    const { fake } = await startDiscordE2E({ onTestFinished }, { fake: { rateLimits: { channelMessages: { limit: 100, windowMs: 1_000 } } } });
    const post = (body: unknown, path = `/channels/${fake.ids.general}/messages`, method = "POST") =>
      fetch(`${fake.apiUrl}/v10${path}`, {
        method,
        headers: { authorization: `Bot ${fake.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const text = (content: string) => ({ type: 10, content });
    const rejected = async (body: unknown) => {
      const res = await post(body);
      return { status: res.status, code: ((await res.json()) as { code?: number }).code };
    };
    const invalid = { status: 400, code: 50035 };
    expect(await rejected({ flags: IS_COMPONENTS_V2, content: "hi", components: [text("x")] })).toEqual(invalid);
    expect(await rejected({ flags: IS_COMPONENTS_V2, embeds: [{ title: "x" }], components: [text("x")] })).toEqual(invalid);
    expect(await rejected({ flags: IS_COMPONENTS_V2, components: Array.from({ length: 41 }, (_, i) => text(`t${i}`)) })).toEqual(invalid);
    expect(await rejected({ flags: IS_COMPONENTS_V2, components: [text("a".repeat(2_500)), text("b".repeat(1_501))] })).toEqual(invalid);
    expect(await rejected({ flags: IS_COMPONENTS_V2, components: [{ type: 17, components: [{ type: 17, components: [text("x")] }] }] })).toEqual(invalid);
    expect(await rejected({ flags: IS_COMPONENTS_V2, components: [{ type: 2, custom_id: "loose", label: "x", style: 2 }] })).toEqual(invalid);
    // Without the flag, V2 components are not legacy components either.
    expect(await rejected({ components: [text("x")] })).toEqual(invalid);

    const ok = await post({ flags: IS_COMPONENTS_V2, components: [text("a".repeat(2_500)), text("b".repeat(1_500))] });
    expect(ok.status).toBe(200);
    const created = (await ok.json()) as { id: string; flags: number };
    expect(created.flags & IS_COMPONENTS_V2).toBe(IS_COMPONENTS_V2);
    const edit = (body: unknown) => post(body, `/channels/${fake.ids.general}/messages/${created.id}`, "PATCH");
    expect((await edit({ flags: 0, content: "plain again" })).status).toBe(400);
    expect((await edit({ content: "plain again" })).status).toBe(400);
    expect((await edit({ components: [text("still V2")] })).status).toBe(200);
  });
});
