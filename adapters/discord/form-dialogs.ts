import { type ButtonInteraction, ComponentType, type ModalSubmitInteraction, TextInputStyle } from "discord.js";
import type { FormDialog } from "../../src/contracts/forms.js";
import type { ButtonClickSnapshot } from "./interactions.js";

/**
 * A form button whose form has fields answers its click with a modal (interaction callback type 9, MODAL;
 * discord.com/developers/docs/interactions/receiving-and-responding) instead of deferring it. The modal's
 * `custom_id` is the button's, so its submission (INTERACTION_CREATE type 5, MODAL_SUBMIT) is read as a click on
 * that button carrying the values. Fields are Label components (type 18) holding a paragraph text input or a
 * string select, as Discord's modal components reference describes them.
 */

/** Discord's modal limits: title 45, label 45, at most 5 top-level components, 25 select options of 100 characters. */
const LIMITS = { title: 45, label: 45, components: 5, options: 25, option: 100, value: 4_000 } as const;

const cut = (text: string, max: number) => ([...text].length <= max ? text : `${[...text].slice(0, max - 1).join("")}…`);

function renderFormModal(dialog: FormDialog) {
  return {
    custom_id: dialog.actionId,
    title: cut(dialog.title.trim() || "Form", LIMITS.title),
    components: dialog.fields.slice(0, LIMITS.components).map((f) => ({
      type: ComponentType.Label,
      label: cut(f.label.trim() || f.name, LIMITS.label),
      component:
        f.kind === "select"
          ? {
              type: ComponentType.StringSelect,
              custom_id: f.name,
              required: false,
              options: (f.options ?? []).slice(0, LIMITS.options).map((o) => ({
                label: cut(o, LIMITS.option),
                value: o.slice(0, LIMITS.option),
                ...(o === f.defaultValue ? { default: true } : {}),
              })),
            }
          : {
              type: ComponentType.TextInput,
              custom_id: f.name,
              style: TextInputStyle.Paragraph,
              required: false,
              ...(f.defaultValue ? { value: f.defaultValue.slice(0, LIMITS.value) } : {}),
            },
    })),
  };
}

/** The values of a submitted form modal, by field name. */
export function submittedValues(interaction: ModalSubmitInteraction): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, field] of interaction.fields.fields) {
    if ("value" in field && typeof field.value === "string") out[name] = field.value;
    else if ("values" in field && Array.isArray(field.values) && typeof field.values[0] === "string") out[name] = field.values[0];
  }
  return out;
}

/** A modal submission, seen like the click on the button that opened it. */
export function snapshotModalSubmit(i: ModalSubmitInteraction): ButtonClickSnapshot | null {
  const message = i.message;
  if (!message) return null;
  const channel = i.channel;
  return {
    interactionId: i.id,
    customId: i.customId,
    guildId: i.guildId ?? null,
    channelId: i.channelId ?? message.channelId,
    channelType: channel?.type ?? null,
    parentId: channel?.isThread() ? channel.parentId : null,
    messageId: message.id,
    messageReferenceId: message.reference?.messageId ?? null,
    user: { id: i.user.id, displayName: i.member && "displayName" in i.member ? i.member.displayName : (i.user.globalName ?? i.user.username) },
    createdAt: new Date(i.createdTimestamp).toISOString(),
  };
}

/** Answers a click with the modal. */
export async function showFormModal(interaction: ButtonInteraction, dialog: FormDialog): Promise<void> {
  await interaction.showModal(renderFormModal(dialog) as never);
}
