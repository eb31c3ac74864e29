import type { ButtonAction } from "../../../src/contracts/actions.js";
import type { InboundEvent } from "../../../src/contracts/chat-platform.js";
import type { InboundMessage } from "../../../src/contracts/messages.js";
import type { ReactionEvent } from "../../../src/contracts/reactions.js";

/** The one event a rig waited for, checked to be of the kind its action produces. */
function only(events: readonly InboundEvent[]): InboundEvent {
  const [event] = events;
  if (event === undefined || events.length !== 1) throw new Error(`expected one inbound event, got ${events.length}`);
  return event;
}

export function messageOf(events: readonly InboundEvent[]): InboundMessage {
  const e = only(events);
  if (e.kind !== "message") throw new Error(`expected a message, got a ${e.kind}`);
  return e.message;
}

export function reactionOf(events: readonly InboundEvent[]): ReactionEvent {
  const e = only(events);
  if (e.kind !== "reaction") throw new Error(`expected a reaction, got a ${e.kind}`);
  return e.reaction;
}

export function actionOf(events: readonly InboundEvent[]): ButtonAction {
  const e = only(events);
  if (e.kind !== "action") throw new Error(`expected a button action, got a ${e.kind}`);
  return e.action;
}
