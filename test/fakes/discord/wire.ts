import type { StoredMessage } from "./world.js";

/** A stored message as Discord sends it: fake-only bookkeeping removed, the replied-to message one level deep. */
export function toWire(message: StoredMessage): Record<string, unknown> {
  const { edits: _edits, deleted: _deleted, allowedMentions: _allowed, referenced_message, ...wire } = message;
  return {
    ...wire,
    ...(referenced_message !== undefined && {
      referenced_message: referenced_message ? { ...toWire({ ...referenced_message, referenced_message: undefined }) } : null,
    }),
  };
}
