import { afterEach, describe, expect, it } from "vitest";
import type { InboundEvent } from "../../../src/contracts/chat-platform.js";
import type { InboundMessage } from "../../../src/contracts/messages.js";
import { createGate, defaultAppParameters, type FakeDifyServer, scripts, steps } from "../../fakes/dify/index.js";
import type { FakePlatform } from "../../fakes/fake-platform.js";
import { type BridgeHarness, eventually, startBridge } from "../../support/bridge-harness.js";
import { RoutesFile, SUPPORT_KEY } from "./routes-support.js";

const SUPPORT = "CSUPPORT";

function messageOf(e: InboundEvent): InboundMessage {
  if (e.kind !== "message") throw new Error("not a message");
  return e.message;
}

/** The visible bot messages of a thread once none has a Stop button or a progress line. */
function settled(platform: FakePlatform, msg: InboundMessage) {
  const messages = platform.visibleMessages({ channelId: msg.replyTarget.channelId, threadId: msg.messageId });
  if (messages.length === 0) return undefined;
  if (messages.some((m) => (m.content.buttons ?? []).some((b) => b.label === "Stop") || m.content.markdown.startsWith("_"))) return undefined;
  return messages;
}

/** The in-memory platform against the real core and two apps on the fake Dify: the options of one app only. */
describe("per-app options: concurrency cap, progress, file types, and clicks owned by the app", () => {
  let h: BridgeHarness;
  let support: FakeDifyServer;
  afterEach(async () => h?.close());

  async function start(appLines: readonly string[]): Promise<void> {
    const routes = new RoutesFile(
      [
        "apps:",
        "  - id: support",
        "    key_env: DIFY_KEY_SUPPORT",
        ...appLines.map((l) => `    ${l}`),
        "routes:",
        `  - { app: support, channel: ${SUPPORT} }`,
        "",
      ].join("\n"),
    );
    h = await startBridge({ env: { ROUTES_FILE: routes.path, DIFY_KEY_SUPPORT: SUPPORT_KEY } });
    support = h.dify.addApp({ apiKey: SUPPORT_KEY, parameters: { ...defaultAppParameters(), suggested_questions_after_answer: { enabled: true } } });
    h.dify.onChat((t) => scripts.answer(`general: ${t.query}`));
  }

  it("max_concurrent caps one app's streams while the other app answers freely", async () => {
    await start(["max_concurrent: 1"]);
    const gate = createGate();
    support.onChat((t) => [steps.message(`support: ${t.query}`), steps.waitFor(gate), steps.messageEnd()]);
    const a = messageOf(h.platform.message({ channelId: SUPPORT, text: "first" }));
    const b = messageOf(h.platform.message({ channelId: SUPPORT, text: "second" }));
    await h.platform.emit({ kind: "message", message: a });
    await h.platform.emit({ kind: "message", message: b });
    await support.waitForStream();
    // The second support question waits for the slot, and says so.
    await eventually(() => h.platform.visibleText({ channelId: SUPPORT, threadId: b.messageId }).includes("Waiting for the assistant"));
    const other = messageOf(h.platform.message({ channelId: "C1", text: "meanwhile" }));
    await h.platform.emit({ kind: "message", message: other });
    await eventually(() => settled(h.platform, other)?.[0]?.content.markdown === "general: meanwhile");
    expect(support.streams).toHaveLength(1);

    gate.open();
    await eventually(() => settled(h.platform, a)?.[0]?.content.markdown === "support: first");
    await eventually(() => settled(h.platform, b)?.[0]?.content.markdown === "support: second");
    expect(support.maxConcurrentStreams()).toBe(1);
  });

  it("show_progress: false hides this app's progress lines; file_types leaves other kinds out with a note", async () => {
    await start(["show_progress: false", "file_types: [image]"]);
    support.onChat((t) => [
      steps.agentThought({ thought: "", tool: "dataset_search", toolInput: "{}" }),
      steps.delay(150),
      ...scripts.answer(`support: ${t.query} (${t.files.length} file)`),
    ]);
    h.dify.onChat((t) => [
      steps.agentThought({ thought: "", tool: "dataset_search", toolInput: "{}" }),
      steps.delay(150),
      ...scripts.answer(`general: ${t.query}`),
    ]);
    h.platform.attachments.set("f-png", new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    h.platform.attachments.set("f-pdf", new TextEncoder().encode("%PDF-1.4 tiny"));
    const attachments = [
      { id: "1", name: "shot.png", mimeType: "image/png", sizeBytes: 4, isVoiceNote: false, ref: "f-png" },
      { id: "2", name: "terms.pdf", mimeType: "application/pdf", sizeBytes: 13, isVoiceNote: false, ref: "f-pdf" },
    ];
    const inSupport = messageOf(h.platform.message({ channelId: SUPPORT, text: "see files", attachments }));
    const elsewhere = messageOf(h.platform.message({ channelId: "C1", text: "search please" }));
    await h.platform.emit({ kind: "message", message: inSupport });
    await h.platform.emit({ kind: "message", message: elsewhere });
    const supportReply = await eventually(() => settled(h.platform, inSupport));
    await eventually(() => settled(h.platform, elsewhere));

    expect(supportReply.map((m) => m.content.markdown).join("\n")).toContain("Not sent to the assistant: terms.pdf");
    expect(supportReply.map((m) => m.content.markdown).join("\n")).toContain("support: see files (1 file)");
    expect(support.chatRequests[0]?.chat.files).toHaveLength(1);
    expect(support.uploads.map((u) => u.name)).toEqual(["shot.png"]);
    const shown = (msg: InboundMessage) =>
      h.platform.ops
        .filter((o) => o.op === "edit" && o.ref?.channelId === msg.replyTarget.channelId && o.ref?.threadId === msg.messageId)
        .map((o) => o.content?.markdown ?? "");
    // The default app keeps SHOW_PROGRESS' default: its tool call was shown while it worked.
    expect(shown(elsewhere).some((t) => /search|knowledge/i.test(t))).toBe(true);
    expect(shown(inSupport).some((t) => /search|knowledge/i.test(t))).toBe(false);
  });

  it("Stop and a suggested question go to the app that answered, even after the channel's route moved", async () => {
    await start([]);
    const gate = createGate();
    support.onChatOnce(() => [steps.message("stoppable"), steps.waitFor(gate), steps.messageEnd()]);
    support.setSuggestedQuestions(["What about refunds?"]);
    const q = messageOf(h.platform.message({ channelId: SUPPORT, text: "help" }));
    await h.platform.emit({ kind: "message", message: q });
    const live = await eventually(() =>
      h.platform
        .visibleMessages({ channelId: SUPPORT, threadId: q.messageId })
        .find((m) => m.content.markdown.includes("stoppable") && m.content.buttons?.length),
    );
    const stop = live.content.buttons?.find((b) => b.label === "Stop");
    if (!stop) throw new Error("no Stop button");
    await h.platform.emit(h.platform.click(live.ref, stop.actionId, q.author, q.conversationKey, q.replyTarget));
    await eventually(() => support.stopRequests.length >= 1);
    expect(h.dify.stopRequests).toHaveLength(0);
    gate.open();
    await eventually(() => settled(h.platform, q));

    support.onChat((t) => scripts.answer(`support again: ${t.query}`));
    const second = messageOf(h.platform.message({ channelId: SUPPORT, threadId: q.messageId, text: "one more", mentionsBot: false }));
    await h.platform.emit({ kind: "message", message: second });
    const withButton = await eventually(() =>
      h.platform.visibleMessages({ channelId: SUPPORT, threadId: q.messageId }).find((m) => m.content.buttons?.some((b) => b.label === "What about refunds?")),
    );
    // The route moves to the default app; the suggestion still belongs to support's answer and conversation.
    h.bridge.apps.replace({ apps: [{ id: "support", keyEnv: "DIFY_KEY_SUPPORT", apiKey: SUPPORT_KEY }], routes: [] });
    const button = withButton.content.buttons?.find((b) => b.label === "What about refunds?");
    await h.platform.emit(h.platform.click(withButton.ref, button?.actionId ?? "", q.author, q.conversationKey, q.replyTarget));
    await eventually(() => support.chatRequests.some((r) => r.chat.query === "What about refunds?"));
    const asked = support.chatRequests.find((r) => r.chat.query === "What about refunds?");
    expect(asked?.chat.conversation_id).toBe(support.streams[0]?.conversationId);
    expect(h.dify.chatRequests).toHaveLength(0);
  });
});
