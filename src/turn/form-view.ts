import type { FormDialog, FormField } from "../contracts/forms.js";
import type { ActionButton } from "../contracts/messages.js";
import type { HumanInputForm } from "../dify/events.js";
import { buttonLabel } from "../reply/answer-view.js";
import { formActionId } from "./action-ids.js";

/**
 * How a Human Input form looks in a reply, whatever the platform: its Markdown, one button per action, and the
 * dialog with its fields. Dify's own form (web app) shows the same pieces: `form_content` with the inputs in
 * place, and the actions as buttons styled by `button_style`.
 */

/** Dify's placeholder for an input inside `form_content`. */
const INPUT_PLACEHOLDER = /\{\{#\$output\.([A-Za-z0-9_]+)#\}\}/g;

const CHAT_FIELDS: ReadonlySet<string> = new Set(["paragraph", "select"]);

/** Inputs a chat dialog can take (text and choices); files cannot be filled from a dialog. */
function dialogFields(form: HumanInputForm): FormField[] {
  return form.fields
    .filter((f) => CHAT_FIELDS.has(f.type))
    .map((f) => ({
      name: f.name,
      label: f.name.replace(/_/g, " "),
      kind: f.type === "select" ? ("select" as const) : ("paragraph" as const),
      ...(f.type === "select" ? { options: f.options } : {}),
      ...(f.defaultValue !== undefined && f.defaultValue !== "" ? { defaultValue: f.defaultValue } : {}),
    }));
}

/** The form as Markdown: its title, its content (inputs named where they sit), and what the chat cannot fill. */
export function formMarkdown(form: HumanInputForm): string {
  const content = form.content.replace(INPUT_PLACEHOLDER, (_m, name: string) => `_‹${name}›_`).trim();
  const files = form.fields.filter((f) => !CHAT_FIELDS.has(f.type)).map((f) => f.name);
  const lines = [`📝 **${form.title?.trim() || "Your input is needed"}**`, content];
  if (files.length)
    lines.push(`_📎 ${files.join(", ")}: file inputs cannot be filled from the chat; the form is sent without ${files.length > 1 ? "them" : "it"}._`);
  return lines.filter((l) => l !== "").join("\n\n");
}

/** Dify's `button_style` (primary, default, accent, ghost) → the chat's two emphasised styles. */
function styleOf(style: string | undefined): ActionButton["style"] {
  return style === "primary" || style === "accent" ? "primary" : undefined;
}

export function formButtons(key: string, form: HumanInputForm): ActionButton[] {
  return form.actions.map((a, i) => ({
    actionId: formActionId(key, i),
    label: buttonLabel(a.title),
    ...(styleOf(a.style) ? { style: styleOf(a.style) } : {}),
  }));
}

/** The dialog the `index`-th action opens, or null when the form has nothing to fill in. */
export function formDialog(key: string, index: number, form: HumanInputForm): FormDialog | null {
  const action = form.actions[index];
  const fields = dialogFields(form);
  if (!action || fields.length === 0) return null;
  return { actionId: formActionId(key, index), title: buttonLabel(form.title?.trim() || "Your input"), submitLabel: buttonLabel(action.title), fields };
}

/** Shown where the form was, once it is answered: who, which action, what they entered. */
export function answeredLine(form: HumanInputForm, by: string, actionTitle: string, values: Readonly<Record<string, string>>): string {
  const name = by.replace(/[*_`]/g, "");
  const entered = Object.entries(values)
    .filter(([, v]) => v.trim() !== "")
    .map(([k, v]) => `> ${k.replace(/_/g, " ")}: ${v.replace(/\s+/g, " ").trim()}`);
  return [`📝 **${form.title?.trim() || "Form"}**: ✅ **${name}** chose **${actionTitle}**`, ...entered].join("\n");
}

export const FORM_EXPIRED_TEXT = "⌛ This form expired before it was answered. Start over to ask again.";
export const FORM_ALREADY_ANSWERED_TEXT = "This form was already answered in Dify. Start over to ask again.";
export const FORM_GONE_TEXT = "This form is no longer available. Start over to ask again.";
export const WAITING_FOR_APPROVAL_TEXT = (title: string | undefined) =>
  `⏸ Waiting for approval in Dify${title?.trim() ? ` (${title.trim()})` : ""}: the answer continues here once it is given.`;
