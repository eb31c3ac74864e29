import { discordError, type FakeResponse } from "./http-body.js";

/** The message body fields the fake checks, with Discord's limits. */
export interface MessageBody {
  content?: string | null;
  /** Message flags; 1 << 15 (IS_COMPONENTS_V2) switches to the components-only layout. */
  flags?: number;
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

/** IS_COMPONENTS_V2 (resources/message.mdx, message flags). */
export const IS_COMPONENTS_V2 = 1 << 15;

/**
 * The flags a message has after a create or an edit. Apps may set SUPPRESS_EMBEDS (4), SUPPRESS_NOTIFICATIONS
 * (4096) and IS_COMPONENTS_V2; the V2 flag, once a message has it, stays ("it can't be removed").
 */
export function flagsAfter(existing: number, requested: number | undefined): number {
  if (requested === undefined) return existing;
  const settable = 4 | 4096 | IS_COMPONENTS_V2;
  return (existing & ~settable) | (requested & settable) | (existing & IS_COMPONENTS_V2);
}

/**
 * Returns Discord's error for a body it would reject, or null. `fileCount` counts uploaded files; an edit passes
 * the message's current flags (a Components V2 message stays one).
 */
export function validateMessageBody(body: MessageBody, fileCount: number, isEdit: boolean, existingFlags = 0): FakeResponse | null {
  const isV2 = ((body.flags ?? 0) & IS_COMPONENTS_V2) !== 0 || (existingFlags & IS_COMPONENTS_V2) !== 0;
  if (isEdit && (existingFlags & IS_COMPONENTS_V2) !== 0 && body.flags !== undefined && (body.flags & IS_COMPONENTS_V2) === 0) {
    return discordError(400, 50035, "Invalid Form Body", {
      flags: { _errors: [{ code: "MESSAGE_CANNOT_REMOVE_COMPONENTS_V2_FLAG", message: "The IS_COMPONENTS_V2 flag cannot be removed once set." }] },
    });
  }
  if (isV2) return validateComponentsV2(body, fileCount, isEdit);
  if (typeof body.content === "string" && body.content.length > 2000) return tooLong("content", 2000);
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

type Component = { type?: unknown; components?: unknown; content?: unknown; custom_id?: unknown; label?: unknown; divider?: unknown; spacing?: unknown };

/** Where each layout may sit (components/reference.mdx): top level, inside a container, inside an action row. */
const V2_TOP_LEVEL = new Set([1, 9, 10, 12, 13, 14, 17]);
const V2_IN_CONTAINER = new Set([1, 9, 10, 12, 13, 14]);
const V2_MAX_COMPONENTS = 40;
const V2_MAX_TEXT = 4000;

const v2Error = (field: string, code: string, message: string): FakeResponse =>
  discordError(400, 50035, "Invalid Form Body", { [field]: { _errors: [{ code, message }] } });

/**
 * A Components V2 message (components/reference.mdx): `content` and `embeds` no longer work, at most 40
 * components in all (nested ones count), 4,000 characters across its text displays, and each component only where
 * the reference allows it (no container in a container, buttons only in action rows of 1-5, text displays with
 * text, separators with spacing 1 or 2). The error codes are the fake's names; the shape is Discord's 50035.
 */
function validateComponentsV2(body: MessageBody, fileCount: number, isEdit: boolean): FakeResponse | null {
  if (typeof body.content === "string" && body.content !== "")
    return v2Error(
      "content",
      "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
      "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
    );
  if (Array.isArray(body.embeds) && body.embeds.length > 0)
    return v2Error(
      "embeds",
      "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
      "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
    );
  const top = (body.components ?? []) as Component[];
  if (!isEdit && top.length === 0 && fileCount === 0) return discordError(400, 50006, "Cannot send an empty message");
  let total = 0;
  let text = 0;
  const ids = new Set<string>();
  const walk = (list: Component[], path: string, allowed: ReadonlySet<number>): FakeResponse | null => {
    for (const [i, c] of list.entries()) {
      const at = `${path}.${i}`;
      total++;
      const type = typeof c.type === "number" ? c.type : -1;
      if (!allowed.has(type)) return v2Error(`${at}.type`, "UNION_TYPE_CHOICES", `Value of field "type" must be one of (${[...allowed].join(", ")}).`);
      const children = Array.isArray(c.components) ? (c.components as Component[]) : [];
      if (type === 10) {
        if (typeof c.content !== "string" || c.content.length === 0) return v2Error(`${at}.content`, "BASE_TYPE_REQUIRED", "This field is required");
        text += c.content.length;
      } else if (type === 14) {
        if (c.spacing !== undefined && c.spacing !== 1 && c.spacing !== 2) return v2Error(`${at}.spacing`, "BASE_TYPE_CHOICES", "Value must be one of (1, 2).");
      } else if (type === 17) {
        if (children.length === 0) return v2Error(`${at}.components`, "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.");
        const inner = walk(children, `${at}.components`, V2_IN_CONTAINER);
        if (inner) return inner;
      } else if (type === 1) {
        if (children.length === 0 || children.length > 5) return v2Error(`${at}.components`, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.");
        for (const [j, b] of children.entries()) {
          total++;
          if (b.type !== 2) return v2Error(`${at}.components.${j}.type`, "UNION_TYPE_CHOICES", 'Value of field "type" must be one of (2).');
          const id = typeof b.custom_id === "string" ? b.custom_id : "";
          if (id === "" || id.length > 100) return tooLong(`${at}.components.${j}.custom_id`, 100);
          if (typeof b.label === "string" && b.label.length > 80) return tooLong(`${at}.components.${j}.label`, 80);
          if (ids.has(id)) return v2Error(`${at}.components.${j}.custom_id`, "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated");
          ids.add(id);
        }
      }
    }
    return null;
  };
  const problem = walk(top, "components", V2_TOP_LEVEL);
  if (problem) return problem;
  if (total > V2_MAX_COMPONENTS)
    return v2Error("components", "BASE_TYPE_MAX_LENGTH", `Must be ${V2_MAX_COMPONENTS} or fewer in length (all components, nested ones included).`);
  if (text > V2_MAX_TEXT) return v2Error("components", "BASE_TYPE_MAX_LENGTH", `The total length of text displays must be ${V2_MAX_TEXT} or fewer.`);
  return null;
}
