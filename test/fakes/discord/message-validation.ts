import { discordError, type FakeResponse } from "./http-body.js";

/** The message body fields the fake checks, with Discord's limits. */
export interface MessageBody {
  content?: string;
  components?: Array<{ type: number; components?: Array<{ type: number; custom_id?: string; label?: string; style?: number }> }>;
  embeds?: Array<{ title?: string; description?: string; fields?: Array<{ name: string; value: string }>; footer?: { text: string } }>;
  attachments?: Array<{ id: number | string; filename?: string }>;
  allowed_mentions?: unknown;
  message_reference?: { message_id: string; fail_if_not_exists?: boolean };
  /** "Can be used to verify a message was sent (up to 25 characters)": an integer or a string. */
  nonce?: string | number;
  /** With a nonce: a repeat by the same author within a few minutes returns the first message. */
  enforce_nonce?: boolean;
}

const tooLong = (field: string, max: number): FakeResponse =>
  discordError(400, 50035, "Invalid Form Body", {
    [field]: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: `Must be ${max} or fewer in length.` }] },
  });

const invalid = (field: string, message: string): FakeResponse =>
  discordError(400, 50035, "Invalid Form Body", { [field]: { _errors: [{ code: "COMPONENT_INVALID", message }] } });

/** Returns Discord's error for a body it would reject, or null. `fileCount` counts uploaded files. */
export function validateMessageBody(body: MessageBody, fileCount: number, isEdit: boolean): FakeResponse | null {
  if (body.content !== undefined && body.content.length > 2000) return tooLong("content", 2000);
  if (typeof body.nonce === "string" && body.nonce.length > 25) return tooLong("nonce", 25);

  const rows = body.components ?? [];
  if (rows.length > 5) return invalid("components", "Must be 5 or fewer in length.");
  const ids = new Set<string>();
  for (const [r, row] of rows.entries()) {
    const buttons = row.components ?? [];
    if (row.type !== 1 || buttons.length === 0 || buttons.length > 5) return invalid(`components.${r}`, "Action rows hold 1-5 buttons");
    for (const b of buttons) {
      if (b.type !== 2) return invalid(`components.${r}`, "Only buttons are supported by the fake");
      if (!b.custom_id || b.custom_id.length > 100) return tooLong(`components.${r}.custom_id`, 100);
      if ((b.label ?? "").length > 80) return tooLong(`components.${r}.label`, 80);
      if (ids.has(b.custom_id)) return invalid(`components.${r}`, "Component custom id cannot be duplicated");
      ids.add(b.custom_id);
    }
  }

  const embeds = body.embeds ?? [];
  if (embeds.length > 10) return invalid("embeds", "Must be 10 or fewer in length.");
  let total = 0;
  for (const e of embeds) {
    if ((e.title ?? "").length > 256) return tooLong("embeds.title", 256);
    if ((e.description ?? "").length > 4096) return tooLong("embeds.description", 4096);
    total += (e.title ?? "").length + (e.description ?? "").length + (e.footer?.text ?? "").length;
    for (const f of e.fields ?? []) total += f.name.length + f.value.length;
  }
  if (total > 6000) return invalid("embeds", "Embed size exceeds maximum size of 6000");

  if (!isEdit && fileCount > 10) return invalid("files", "Must be 10 or fewer in length.");
  const empty = (body.content ?? "").trim() === "" && rows.length === 0 && embeds.length === 0 && fileCount === 0;
  if (!isEdit && empty) return discordError(400, 50006, "Cannot send an empty message");
  return null;
}
