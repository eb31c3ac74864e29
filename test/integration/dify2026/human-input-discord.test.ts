import { describe, it } from "vitest";
import { dify2026Options, type HumanInputSpec, scripts } from "../../fakes/dify/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { buttonsOf, finalBotMessages, startDiscordE2E, threadKey } from "../discord-e2e/support.js";

/** Human Input on Discord: the form in the reply, a click (type 6) or a modal (type 9, then MODAL_SUBMIT). */

const APPROVAL: HumanInputSpec = {
  nodeTitle: "Approval",
  formContent: "Ship it?",
  actions: [
    { id: "ship", title: "Ship", buttonStyle: "primary" },
    { id: "hold", title: "Hold" },
  ],
};

const NOTE: HumanInputSpec = {
  nodeTitle: "Review",
  formContent: "Leave a note: {{#$output.note#}}",
  inputs: [
    { type: "paragraph", outputVariableName: "note" },
    { type: "select", outputVariableName: "priority", options: ["low", "high"], default: "low" },
  ],
  actions: [{ id: "send", title: "Send" }],
};

const chatflow2026 = { ...dify2026Options(), mode: "advanced-chat" as const };

describe("Discord end to end: Human Input forms of a Chatflow", () => {
  it("the form shows with its buttons; a click sends it as the thread's user and the rest streams into the same reply", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { dify: chatflow2026 });
    dify.onChat(scripts.chatflowWithForms("Build green.", [APPROVAL], " Shipped."));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> release?` });
    const form = await eventually(() => fake.botMessages(q.id).find((m) => buttonsOf(m).some((b) => b.label === "Ship")), 15_000);
    expect(form.content).toBe("Build green.\n\n📝 **Approval**\n\nShip it?");
    const rows = form.components as Array<{ components: Array<{ label: string; style: number }> }>;
    expect(rows[0]?.components.map((b) => [b.label, b.style])).toEqual([
      ["Ship", 1],
      ["Hold", 2],
    ]);

    const ship = buttonsOf(form).find((b) => b.label === "Ship");
    const click = fake.users.clickButton({ channelId: q.id, messageId: form.id, customId: ship?.customId ?? "", userId: fake.ids.bob });
    const reply = await eventually(() => finalBotMessages(fake, q.id)?.find((m) => m.content.endsWith("Shipped.")), 15_000);
    expect(reply?.id).toBe(form.id);
    expect(reply?.content).toBe("Build green.\n\n📝 **Approval**: ✅ **Bob** chose **Ship**\n\nShipped.");
    expect(fake.botMessages(q.id)).toHaveLength(1);
    expect(fake.interactionCallbacks.filter((c) => c.interactionId === click.interactionId).map((c) => c.type)).toEqual([6]);
    expect(dify.formSubmissions[0]?.json).toEqual({ inputs: {}, action: "ship", user: threadKey(fake, fake.ids.general, q.id) });
  });

  it("a form with inputs answers the click with a modal; its submission sends the values and the reply shows them", async ({ expect, onTestFinished }) => {
    const { fake, dify } = await startDiscordE2E({ onTestFinished }, { dify: chatflow2026 });
    dify.onChat(scripts.chatflowWithForms("Draft ready.", [NOTE], (o) => (o[0]?.kind === "submitted" ? ` Noted (${o[0].submission.inputs.priority}).` : "")));
    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: `<@${fake.ids.bot}> review` });
    const form = await eventually(() => fake.botMessages(q.id).find((m) => buttonsOf(m).some((b) => b.label === "Send")), 15_000);
    const send = buttonsOf(form).find((b) => b.label === "Send");
    const click = fake.users.clickButton({ channelId: q.id, messageId: form.id, customId: send?.customId ?? "", userId: fake.ids.alice });
    const modal = await eventually(() => fake.interactionCallbacks.find((c) => c.interactionId === click.interactionId), 10_000);
    expect(modal.type).toBe(9);
    const data = modal.data as {
      custom_id: string;
      title: string;
      components: Array<{ type: number; label: string; component: { type: number; custom_id: string } }>;
    };
    expect(data.custom_id).toBe(send?.customId);
    expect(data.components.map((c) => [c.type, c.label, c.component.type, c.component.custom_id])).toEqual([
      [18, "note", 4, "note"],
      [18, "priority", 3, "priority"],
    ]);
    expect(dify.formSubmissions).toHaveLength(0);

    const submit = fake.users.submitModal({ interactionId: click.interactionId, values: { note: "Looks good", priority: "high" } });
    const reply = await eventually(() => finalBotMessages(fake, q.id)?.find((m) => m.content.includes("Noted")), 15_000);
    expect(reply?.id).toBe(form.id);
    expect(reply?.content).toBe("Draft ready.\n\n📝 **Review**: ✅ **Alice** chose **Send**\n> note: Looks good\n> priority: high\n\nNoted (high).");
    expect(fake.interactionCallbacks.filter((c) => c.interactionId === submit.interactionId).map((c) => c.type)).toEqual([6]);
    expect(dify.formSubmissions[0]?.json).toEqual({
      inputs: { note: "Looks good", priority: "high" },
      action: "send",
      user: threadKey(fake, fake.ids.general, q.id),
    });
  });
});
