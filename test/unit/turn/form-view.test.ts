import { describe, expect, it } from "vitest";
import type { HumanInputForm } from "../../../src/dify/events.js";
import { parseActionId } from "../../../src/turn/action-ids.js";
import { answeredLine, formButtons, formDialog, formMarkdown } from "../../../src/turn/form-view.js";

const FORM: HumanInputForm = {
  formId: "f1",
  title: "Review",
  content: "Check the draft. Note: {{#$output.note#}}",
  fields: [
    { type: "paragraph", name: "note", defaultValue: "", options: [] },
    { type: "select", name: "priority", defaultValue: "low", options: ["low", "high"] },
    { type: "file", name: "scan", options: [] },
  ],
  actions: [
    { id: "ok", title: "Approve", style: "primary" },
    { id: "maybe", title: "Later", style: "accent" },
    { id: "no", title: "Reject", style: "ghost" },
    { id: "skip", title: "Skip", style: "default" },
  ],
  token: "tok",
  expiresAt: 2_000_000_000,
};

describe("a Human Input form in the chat", () => {
  it("shows its title, its content with the inputs named, and the file inputs the chat cannot fill", () => {
    expect(formMarkdown(FORM)).toBe(
      "📝 **Review**\n\nCheck the draft. Note: _‹note›_\n\n_📎 scan: file inputs cannot be filled from the chat; the form is sent without it._",
    );
    expect(formMarkdown({ ...FORM, title: undefined, fields: [] })).toBe("📝 **Your input is needed**\n\nCheck the draft. Note: _‹note›_");
  });

  it("has one button per action, emphasised for Dify's primary and accent styles, whose ids name the form and the action", () => {
    const buttons = formButtons("k123", FORM);
    expect(buttons.map((b) => [b.label, b.style])).toEqual([
      ["Approve", "primary"],
      ["Later", "primary"],
      ["Reject", undefined],
      ["Skip", undefined],
    ]);
    expect(buttons.map((b) => parseActionId(b.actionId))).toEqual([0, 1, 2, 3].map((index) => ({ kind: "form", formKey: "k123", index })));
    for (const b of buttons) expect(b.actionId.length).toBeLessThanOrEqual(100);
  });

  it("opens a dialog with the text and choice fields only, submitting as the chosen action; none when there is nothing to fill", () => {
    expect(formDialog("k123", 0, FORM)).toEqual({
      actionId: formButtons("k123", FORM)[0]?.actionId,
      title: "Review",
      submitLabel: "Approve",
      fields: [
        { name: "note", label: "note", kind: "paragraph" },
        { name: "priority", label: "priority", kind: "select", options: ["low", "high"], defaultValue: "low" },
      ],
    });
    expect(formDialog("k123", 9, FORM)).toBeNull();
    expect(formDialog("k123", 0, { ...FORM, fields: [{ type: "file", name: "scan", options: [] }] })).toBeNull();
  });

  it("once answered, says who chose which action and what they entered, never as Markdown the name could break", () => {
    expect(answeredLine(FORM, "*Ana*", "Approve", { note: "Fine  by\nme", priority: "high", empty: " " })).toBe(
      "📝 **Review**: ✅ **Ana** chose **Approve**\n> note: Fine by me\n> priority: high",
    );
  });
});
