import { describe, it } from "vitest";
import { createGate, scripts, steps } from "../../fakes/dify/index.js";
import { FAKE_IDS } from "../../fakes/discord/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { finalBotMessages, settle, startDiscordE2E, threadKey } from "../discord-e2e/support.js";
import { RoutesFile, reloaded, SUPPORT_KEY } from "./routes-support.js";

const CODE_KEY = "app-codeAssistantKey0003";

function routesYaml(routes: readonly string[]): string {
  return [
    "apps:",
    "  - id: support",
    "    key_env: DIFY_KEY_SUPPORT",
    "  - id: code",
    "    key_env: DIFY_KEY_CODE",
    "routes:",
    ...routes.map((r) => `  - ${r}`),
    "",
  ].join("\n");
}

/** Real discord.js against the fake Discord; three Dify apps on one fake Dify, picked by key. */
describe.concurrent("Discord: routes by guild and channel", () => {
  it("a channel route and a guild route each reach their app with its key; threads inherit their channel's route; a 👍 rates the message in its app", async ({
    expect,
    onTestFinished,
  }) => {
    const routes = new RoutesFile(
      routesYaml([
        `{ app: support, platform: discord, guild: "${FAKE_IDS.guild}", channel: "${FAKE_IDS.random}" }`,
        `{ app: code, platform: discord, guild: "${FAKE_IDS.otherGuild}" }`,
      ]),
    );
    const { fake, dify } = await startDiscordE2E(
      { onTestFinished },
      { env: { ROUTES_FILE: routes.path, DIFY_KEY_SUPPORT: SUPPORT_KEY, DIFY_KEY_CODE: CODE_KEY } },
    );
    const support = dify.addApp({ apiKey: SUPPORT_KEY });
    const code = dify.addApp({ apiKey: CODE_KEY });
    dify.onChat((t) => scripts.answer(`general: ${t.query}`));
    support.onChat((t) => scripts.answer(`support: ${t.query}`));
    code.onChat((t) => scripts.answer(`code: ${t.query}`));

    const inRandom = fake.users.sendMessage({ channelId: FAKE_IDS.random, content: `<@${fake.ids.bot}> refund please` });
    const inGeneral = fake.users.sendMessage({ channelId: FAKE_IDS.general, content: `<@${fake.ids.bot}> hello there` });
    const inOther = fake.users.sendMessage({ channelId: FAKE_IDS.otherGuildChannel, content: `<@${fake.ids.bot}> fix my build` });
    const [supportReply] = await eventually(() => finalBotMessages(fake, inRandom.id), 15_000);
    const [generalReply] = await eventually(() => finalBotMessages(fake, inGeneral.id), 15_000);
    const [codeReply] = await eventually(() => finalBotMessages(fake, inOther.id), 15_000);
    expect(supportReply?.content).toBe("support: refund please");
    expect(generalReply?.content).toBe("general: hello there");
    expect(codeReply?.content).toBe("code: fix my build");
    expect(support.chatRequests.map((r) => r.headers.authorization)).toEqual([`Bearer ${SUPPORT_KEY}`]);
    expect(code.chatRequests.map((r) => r.headers.authorization)).toEqual([`Bearer ${CODE_KEY}`]);
    expect(dify.chatRequests.map((r) => r.chat.query)).toEqual(["hello there"]);

    // A follow-up in the thread under #random (its own channel id) stays with support and its conversation.
    fake.users.sendMessage({ channelId: inRandom.id, content: "order 42" });
    await eventually(() => finalBotMessages(fake, inRandom.id, 2)?.[1]?.content === "support: order 42", 15_000);
    expect(support.chatRequests[1]?.chat).toMatchObject({
      conversation_id: support.streams[0]?.conversationId,
      user: threadKey(fake, FAKE_IDS.random, inRandom.id),
    });

    fake.users.react({ channelId: inRandom.id, messageId: supportReply?.id ?? "", userId: FAKE_IDS.alice, emoji: "👍" });
    await eventually(() => support.feedbackRequests.length === 1, 10_000);
    expect(support.feedbackRequests[0]).toMatchObject({ messageId: support.streams[0]?.messageId, rating: "like" });
    await settle();
    expect(dify.feedbackRequests).toHaveLength(0);
    expect(code.feedbackRequests).toHaveLength(0);
  });

  it("a guild's route changed while an answer streams: it finishes on its app, the thread's next message goes to the new app in a new conversation", async ({
    expect,
    onTestFinished,
  }) => {
    const routes = new RoutesFile(routesYaml([`{ app: support, platform: discord, guild: "${FAKE_IDS.guild}" }`]));
    const { fake, dify, harness } = await startDiscordE2E(
      { onTestFinished },
      { env: { ROUTES_FILE: routes.path, DIFY_KEY_SUPPORT: SUPPORT_KEY, DIFY_KEY_CODE: CODE_KEY } },
    );
    const support = dify.addApp({ apiKey: SUPPORT_KEY });
    const code = dify.addApp({ apiKey: CODE_KEY });
    code.onChat((t) => scripts.answer(`code: ${t.query}`));
    const gate = createGate();
    support.onChatOnce(() => [steps.message("support begins"), steps.waitFor(gate), steps.message(", support ends"), steps.messageEnd()]);

    const q = fake.users.sendMessage({ channelId: FAKE_IDS.general, content: `<@${fake.ids.bot}> long one` });
    await eventually(() => fake.botMessages(q.id).some((m) => m.content.includes("support begins")), 15_000);
    const before = harness.logs.length;
    routes.write(routesYaml([`{ app: code, platform: discord, guild: "${FAKE_IDS.guild}" }`]));
    await reloaded(harness.logs, before);
    gate.open();
    await eventually(() => finalBotMessages(fake, q.id)?.[0]?.content === "support begins, support ends", 15_000);

    fake.users.sendMessage({ channelId: q.id, content: "next one" });
    await eventually(() => finalBotMessages(fake, q.id, 2)?.[1]?.content.startsWith("code: "), 15_000);
    expect(support.chatRequests).toHaveLength(1);
    expect(code.chatRequests).toHaveLength(1);
    expect(code.chatRequests[0]?.chat.conversation_id ?? "").toBe("");
    expect(code.chatRequests[0]?.status).toBe(200);
    expect(dify.chatRequests).toHaveLength(0);
  });
});
