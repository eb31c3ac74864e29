/**
 * Button ids the core puts on messages and reads back from clicks. Short ("db|s|<turn>"), because Discord's
 * `custom_id` holds at most 100 characters, and self-contained, because the click may reach any process.
 */
export type ParsedAction =
  | { readonly kind: "stop"; readonly turnId: string }
  | { readonly kind: "ask"; readonly turnId: string; readonly index: number }
  | { readonly kind: "retry"; readonly turnId: string }
  /** An action of a Human Input form (`formKey` names the pending form, `index` the action). */
  | { readonly kind: "form"; readonly formKey: string; readonly index: number };

const PREFIX = "db";

export const stopActionId = (turnId: string) => `${PREFIX}|s|${turnId}`;
export const askActionId = (turnId: string, index: number) => `${PREFIX}|q|${turnId}|${index}`;
export const retryActionId = (turnId: string) => `${PREFIX}|r|${turnId}`;
export const formActionId = (formKey: string, index: number) => `${PREFIX}|f|${formKey}|${index}`;

export function parseActionId(actionId: string): ParsedAction | null {
  const [prefix, kind, turnId, index] = actionId.split("|");
  if (prefix !== PREFIX || !turnId) return null;
  if (kind === "s") return { kind: "stop", turnId };
  if (kind === "r") return { kind: "retry", turnId };
  if (kind === "f" && index !== undefined && /^\d+$/.test(index)) return { kind: "form", formKey: turnId, index: Number(index) };
  if (kind === "q" && index !== undefined && /^\d+$/.test(index)) return { kind: "ask", turnId, index: Number(index) };
  return null;
}
